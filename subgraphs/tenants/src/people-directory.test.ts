import { describe, expect, it } from 'vitest';
import { NO_PEOPLE_DIRECTORY, staticPeopleDirectory } from './people-directory';

describe('staticPeopleDirectory', () => {
  const directory = staticPeopleDirectory([
    { subject: 'admin', email: 'admin@switchyard.local' },
    { subject: 'member:ann', email: 'Ann@Example.com' },
    { subject: 'a', email: 'shared@example.com' },
    { subject: 'b', email: 'shared@example.com' },
  ]);

  it('finds a person by address, ignoring case and surrounding spaces', async () => {
    await expect(directory.findByEmail(' ann@example.COM ')).resolves.toEqual({ subject: 'member:ann', email: 'Ann@Example.com' });
  });

  it('answers null for unknown addresses and for addresses two subjects share', async () => {
    await expect(directory.findByEmail('nobody@example.com')).resolves.toBeNull();
    await expect(directory.findByEmail('shared@example.com')).resolves.toBeNull();
  });

  it('knows no one without a directory', async () => {
    await expect(NO_PEOPLE_DIRECTORY.findByEmail('admin@switchyard.local')).resolves.toBeNull();
  });
});
