import { describe, expect, it } from 'vitest';
import { fakeIo } from '../../test/support/fake-io.ts';
import { BreakGlass } from '../features/console-auth/break-glass.ts';
import { main } from './main.ts';

describe('llm-rules break-glass hash', () => {
  it('hashes the password from standard input, without its trailing newline', async () => {
    const io = fakeIo({ stdin: 'an emergency password of some length\n' });
    expect(await main(['break-glass', 'hash'], io)).toBe(0);
    const hash = io.out.join('').trim();
    expect(await new BreakGlass(hash).verify('an emergency password of some length')).toBe(true);
  });

  it('refuses a password on the command line', async () => {
    const io = fakeIo({ stdin: '' });
    expect(await main(['break-glass', 'hash', 'secret'], io)).toBe(2);
  });
});
