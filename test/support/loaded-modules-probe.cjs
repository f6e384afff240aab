// Preloaded into a server (NODE_OPTIONS=--require) by test/server-footprint.test.ts: on SIGUSR2 it writes
// the files of every CommonJS module loaded so far, one a line, to LLM_RULES_LOADED_MODULES_FILE.
const { renameSync, writeFileSync } = require('node:fs');

process.on('SIGUSR2', () => {
  const file = process.env.LLM_RULES_LOADED_MODULES_FILE;
  // Written aside and renamed, so the test, which reads it as soon as it exists, never reads half of it.
  writeFileSync(`${file}.tmp`, Object.keys(require.cache).join('\n'));
  renameSync(`${file}.tmp`, file);
});
