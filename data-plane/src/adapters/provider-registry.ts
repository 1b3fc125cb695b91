import type { ProviderAdapter } from './adapter';
import { createAnthropicAdapter } from './anthropic/anthropic-adapter';
import { createMockAdapter } from './mock/mock-adapter';
import { parseDirectiveWords } from './mock/mock-model';
import { createOpenAICompatibleAdapter } from './openai-compatible/openai-compatible-adapter';
import { UNSPECIFIED_REGION } from '../domain/upstream-location';

export interface ProviderConfig {
  name: string;
  kind: 'mock' | 'openai-compatible' | 'anthropic';
  /** Required for openai-compatible: base URL including the version, e.g. `http://127.0.0.1:9000/v1`. Required for anthropic too, without the version (the Messages API's origin). */
  baseUrl?: string;
  apiKey?: string;
  /** Model ids this provider serves (the ids clients send and GET /v1/models lists). */
  models: string[];
  /** openai-compatible: give up when the upstream is silent this long (default 60 s). */
  idleTimeoutMs?: number;
  /** openai-compatible: give up on an answer asked for whole (non-streaming, no speculative leg) after this long (default 10 min). */
  answerTimeoutMs?: number;
  /** openai-compatible: ask for whole answers when the caller reads them whole (default true); false: always stream (an upstream whose non-streaming mode is broken). */
  wholeAnswers?: boolean;
  /**
   * Where the provider processes requests, for data-locality policies (`process_in_region`).
   * Default `unspecified`: a policy that permits only named regions never sends data to it.
   */
  region?: string;
  /** mock: `[mock: ...]` directive words applied to every request (or only the first `firstRequests`), e.g. "status=500". */
  mock?: { directives: string; firstRequests?: number };
}

export interface ProviderRoute {
  model: string;
  adapter: ProviderAdapter;
  /** Where the data goes: the host of `baseUrl` (`local` for the in-process mock). */
  host: string;
  region: string;
}

export interface ProviderRegistry {
  route(model: string): ProviderRoute | undefined;
  /** `model` served by the named provider, or by the first provider serving it when none is named. */
  serve(model: string, provider?: string): ProviderRoute | undefined;
  models(): readonly { id: string; ownedBy: string }[];
}

export function createProviderRegistry(configs: readonly ProviderConfig[]): ProviderRegistry {
  const routes = new Map<string, ProviderRoute>();
  const byProvider = new Map<string, { adapter: ProviderAdapter; models: ReadonlySet<string>; host: string; region: string }>();
  for (const config of configs) {
    const adapter = adapterFor(config);
    const host = config.baseUrl ? new URL(config.baseUrl).host : 'local';
    const region = config.region ?? UNSPECIFIED_REGION;
    if (!byProvider.has(config.name)) byProvider.set(config.name, { adapter, models: new Set(config.models), host, region });
    for (const model of config.models) {
      // First provider listed for a model wins; later duplicates are ignored.
      if (!routes.has(model)) routes.set(model, { model, adapter, host, region });
    }
  }
  const listing = [...routes.values()].map((r) => ({ id: r.model, ownedBy: r.adapter.name }));
  return {
    route: (model) => routes.get(model),
    serve(model, provider) {
      if (provider === undefined) return routes.get(model);
      const named = byProvider.get(provider);
      return named?.models.has(model) ? { model, adapter: named.adapter, host: named.host, region: named.region } : undefined;
    },
    models: () => listing,
  };
}

function adapterFor(config: ProviderConfig): ProviderAdapter {
  if (config.kind === 'mock') {
    const script = config.mock ? { directives: parseDirectiveWords(config.mock.directives), firstRequests: config.mock.firstRequests } : undefined;
    return createMockAdapter(config.name, {}, script);
  }
  // Every real upstream is named explicitly: no built-in default can send traffic to a provider nobody configured.
  if (!config.baseUrl) throw new Error(`provider ${config.name}: baseUrl is required for kind ${config.kind}`);
  if (config.kind === 'anthropic') {
    return createAnthropicAdapter({ name: config.name, baseUrl: config.baseUrl, apiKey: config.apiKey, idleTimeoutMs: config.idleTimeoutMs });
  }
  return createOpenAICompatibleAdapter({ name: config.name, baseUrl: config.baseUrl, apiKey: config.apiKey, idleTimeoutMs: config.idleTimeoutMs, answerTimeoutMs: config.answerTimeoutMs, wholeAnswers: config.wholeAnswers });
}
