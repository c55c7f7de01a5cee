// Running the lead sections as scripts of their own: their stack, warm-up, the table and the JSON
// on stdout (the suite, bench/suite.ts, shares one stack between them instead).
import { installTemporalRuntime } from '../../temporal/runtime.js';
import { Runner } from './lead-runs.js';
import { startLeadBench } from './lead-stack.js';
import { renderTable, type SectionResult } from './report.js';

export async function runStandalone(fn: (runner: Runner) => Promise<SectionResult[]>): Promise<void> {
  installTemporalRuntime({ metricsAddress: undefined, logLevel: process.env.LOG_LEVEL ?? 'warn' });
  const bench = await startLeadBench();
  try {
    const runner = new Runner(bench);
    await runner.calibrate();
    const sections = await fn(runner);
    console.log(renderTable(sections));
    console.log(JSON.stringify(sections));
  } finally {
    await bench.stop();
  }
}
