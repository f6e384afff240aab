import { describe, expect, it } from 'vitest';
import { resolveServerOptions } from './server-options.ts';

describe('resolveServerOptions', () => {
  it('applies defaults and freezes the result', () => {
    const options = resolveServerOptions([]);
    expect(options).toMatchObject({
      host: '127.0.0.1',
      port: 8787,
      dataDir: '.llm-rules',
      applyConfigOnStart: 'if-none',
      parallelScavenge: 'auto',
    });
    expect(Object.isFrozen(options)).toBe(true);
  });

  it('lets later sources win: file < environment < flags', () => {
    const options = resolveServerOptions([
      { name: 'server.yaml', values: { port: 1000, host: '0.0.0.0' } },
      { name: 'environment', values: { port: '2000', host: undefined } },
      { name: 'flags', values: { port: '3000' } },
    ]);
    expect(options.port).toBe(3000);
    expect(options.host).toBe('0.0.0.0');
  });

  it('names the option and where it came from', () => {
    expect(() => resolveServerOptions([{ name: 'environment', values: { port: 'eighty' } }])).toThrow(
      /Server option port \(from environment\)/,
    );
    expect(() => resolveServerOptions([{ name: 'server.yaml', values: { prot: 80 } }])).toThrow(/prot/);
    expect(() => resolveServerOptions([{ name: 'flags', values: { databaseUrl: 'mysql://x' } }])).toThrow(
      /databaseUrl.*postgres:\/\//,
    );
    expect(() =>
      resolveServerOptions([{ name: 'environment', values: { parallelScavenge: 'sometimes' } }]),
    ).toThrow(/Server option parallelScavenge \(from environment\)/);
  });

  it('requires both TLS files', () => {
    expect(() => resolveServerOptions([{ name: 'flags', values: { tlsCert: 'cert.pem' } }])).toThrow(
      /both tlsCert and tlsKey/,
    );
  });
});
