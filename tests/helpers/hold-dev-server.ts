// A process that starts a dev server test environment and holds it until it is killed: the
// child-reaper test sends it a signal and checks that the dev server does not outlive it.
import { childrenOf } from './child-reaper.js';
import { createDevServerEnv } from './temporal.js';

const env = await createDevServerEnv();
const servers = childrenOf(process.pid).filter((c) => /temporal/.test(c.exe));
process.stdout.write(`${JSON.stringify({ servers: servers.map((s) => s.pid), namespace: env.namespace ?? 'default' })}\n`);
// Held open by the environment's connection; an interval makes sure nothing ends it but a signal.
setInterval(() => undefined, 60_000);
