// BENCH_DEV_CONFIG='key=json,…': extra dynamic config for a bench's dev server, to try a server
// setting against the same run's figures without editing the bench.
export function benchDevServerOptions(): { dynamicConfig?: Record<string, unknown> } {
  const spec = process.env.BENCH_DEV_CONFIG;
  if (spec === undefined || spec === '') return {};
  return { dynamicConfig: Object.fromEntries(spec.split(',').map((kv) => [kv.slice(0, kv.indexOf('=')), JSON.parse(kv.slice(kv.indexOf('=') + 1))])) };
}
