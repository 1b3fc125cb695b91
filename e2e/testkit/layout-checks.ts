/**
 * Layout checks for console pages at the widths people use (a 1440 px laptop, a 390 px phone):
 * nothing makes the page scroll sideways, and a screenshot of each width lands in e2e/artifacts to look at.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { REPO_ROOT } from './platform-process';

export const ARTIFACTS = path.join(REPO_ROOT, 'e2e', 'artifacts');
export const WIDTHS = { desktop: { width: 1440, height: 900 }, phone: { width: 390, height: 844 } } as const;

/** How far the page's content is wider than the window (0 when nothing overflows). */
export async function horizontalOverflow(page: Page): Promise<number> {
  // A string expression: the e2e package compiles without the DOM library.
  return Number(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'));
}

/** The elements that reach past the window's right edge (tag, class, width), to say what overflows. */
async function overflowingElements(page: Page): Promise<string> {
  return String(
    await page.evaluate(`[...document.querySelectorAll('body *')]
      .filter((element) => element.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
      .filter((element) => getComputedStyle(element).position === 'absolute' || !element.closest('.tableWrap, pre, [data-scrolls]') || element.matches('.tableWrap, pre, [data-scrolls]'))
      .slice(0, 8)
      .map((element) => element.tagName.toLowerCase() + '.' + String(element.className).slice(0, 40) + ' ' + Math.round(element.getBoundingClientRect().width) + 'px')
      .join('; ')`),
  );
}

/** At each width: no sideways scrolling of the page, then a full-page screenshot `<name>-<width>.png`. */
export async function checkWidths(page: Page, name: string): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true });
  for (const size of Object.values(WIDTHS)) {
    await page.setViewportSize(size);
    // Let the layout settle, shoot first (to look at what overflows), then assert.
    await expect.poll(() => horizontalOverflow(page), { timeout: 2_000 }).toBe(0).catch(() => undefined);
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}-${size.width}.png`), fullPage: true });
    const overflow = await horizontalOverflow(page);
    if (overflow !== 0) throw new Error(`${name} at ${size.width} px scrolls sideways by ${overflow} px: ${await overflowingElements(page)}`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}
