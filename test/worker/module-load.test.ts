import { expect } from 'chai';
import { execFileSync } from 'node:child_process';

// Which modules a thread loads: k-means (ml-kmeans and the ~260 modules under it) is training's
// alone. Scoring threads and the daemon's main thread load none of it (cluster-building.ts).

/**
 * Every module URL resolved while `module` (relative to this file) is imported in a fresh process,
 * recorded by a resolve hook (node:module register), dynamic imports at load time included.
 */
function resolvedBy(module: string): string[] {
  const target = new URL(module, import.meta.url).href;
  const hook = `
    let port;
    export function initialize(data) { port = data.port; }
    export async function resolve(specifier, context, next) {
      const r = await next(specifier, context);
      port.postMessage(r.url);
      return r;
    }`;
  const child = `
    import { register } from 'node:module';
    import { MessageChannel } from 'node:worker_threads';
    const { port1, port2 } = new MessageChannel();
    const seen = [];
    port1.on('message', (u) => seen.push(u));
    register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}), import.meta.url, { data: { port: port2 }, transferList: [port2] });
    await import(${JSON.stringify(target)});
    setTimeout(() => { process.stdout.write(JSON.stringify(seen)); process.exit(0); }, 200);`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', child], { encoding: 'utf8' });
  return JSON.parse(out) as string[];
}

const kmeans = (urls: string[]): string[] => urls.filter((u) => u.includes('/node_modules/ml-kmeans/'));

describe('modules loaded by each kind of thread', function () {
  this.timeout(60_000);

  before(async function () {
    // Resolve hooks (module.register) came in Node 20.6; the product runs on any Node 20.
    if (typeof (await import('node:module')).register !== 'function') this.skip();
  });

  it('training loads k-means (so the checks below can see it)', () => {
    const urls = resolvedBy('../../src/model/trainer.js');
    expect(kmeans(urls)).to.not.be.empty;
  });

  it('a scoring thread (the worker entry before any training task) loads no k-means', () => {
    const urls = resolvedBy('../../src/worker/entry.js');
    expect(urls.some((u) => u.endsWith('/src/model/detector.js'))).to.equal(true);
    expect(kmeans(urls)).to.deep.equal([]);
  });

  it("the daemon's main thread (the run command and its configuration) loads no k-means", () => {
    const urls = resolvedBy('../../src/commands/run.js');
    expect(urls.some((u) => u.endsWith('/src/config/schema.js'))).to.equal(true);
    expect(kmeans(urls)).to.deep.equal([]);
  });
});
