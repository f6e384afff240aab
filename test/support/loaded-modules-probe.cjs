// Preloaded into a server (NODE_OPTIONS=--require) by test/server-footprint.test.ts: on SIGUSR2 it writes
// the files of every CommonJS module loaded so far, one a line, to LLM_RULES_LOADED_MODULES_FILE.
const { writeFileSync } = require('node:fs');

process.on('SIGUSR2', () => {
  writeFileSync(process.env.LLM_RULES_LOADED_MODULES_FILE, Object.keys(require.cache).join('\n'));
});
