// undici's connection pool, loaded by itself. The package's index loads all undici has (fetch, WebSockets,
// its caches, mock agents, EventSource) to export it, 3 MB of heap and 7 MB of resident memory in every
// server for a class that needs none of it. undici is pinned to one version (package.json) and declares
// no exports map, so its own module paths are as stable as the pin; test/server-footprint.test.ts fails
// if the index is loaded again, and the gateway's tests if what is loaded here falls short.

import { createRequire } from 'node:module';
import type { Pool as UndiciPool } from 'undici';

const require = createRequire(import.meta.url);

// What the index does too: the `request`, `stream`, `pipeline`, `connect` and `upgrade` methods are
// mixed into every dispatcher from lib/api (the gateway uses `request` for all but /v1/messages).
Object.assign(require('undici/lib/dispatcher/dispatcher.js').prototype, require('undici/lib/api/index.js'));

export const Pool: typeof UndiciPool = require('undici/lib/dispatcher/pool.js');
export type Pool = UndiciPool;
