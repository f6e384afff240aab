// Preloaded into a server by gateway-instructions.bench.ts (`node --require`): the bytes V8 allocates on
// the main thread between two signals, and the requests the server took in that time. SIGUSR2 starts the
// count; SIGUSR1 writes it to ALLOCATION_METER_OUT as JSON. Allocation is read from V8's GC profiler: the
// heap in use before each collection, less what was in use after the one before.
const v8 = require('node:v8');
const http = require('node:http');
const fs = require('node:fs');

let requests = 0;
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function countRequests(name, ...rest) {
  if (name === 'request') requests++;
  return emit.call(this, name, ...rest);
};

const used = () => v8.getHeapStatistics().used_heap_size;
let profiler;
let startUsed = 0;
let startRequests = 0;

process.on('SIGUSR2', () => {
  profiler?.stop();
  profiler = new v8.GCProfiler();
  profiler.start();
  startUsed = used();
  startRequests = requests;
});

process.on('SIGUSR1', () => {
  const { statistics } = profiler.stop();
  let allocated = 0;
  let before = startUsed;
  let collections = 0;
  for (const gc of statistics) {
    allocated += gc.beforeGC.heapStatistics.usedHeapSize - before;
    before = gc.afterGC.heapStatistics.usedHeapSize;
    collections++;
  }
  allocated += used() - before;
  const served = requests - startRequests;
  fs.writeFileSync(
    process.env.ALLOCATION_METER_OUT,
    JSON.stringify({ requests: served, bytesPerRequest: allocated / served, collections }),
  );
});
