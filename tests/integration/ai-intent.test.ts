// Reply intent with the real `openai` client against the local stand-in: the AI decides when it
// is confident; the rules decide without a key, on errors, on malformed answers and on low confidence.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createIntentClassifier } from '../../activities/ai/intent.js';
import { startOpenAI } from '../helpers/standins/openai.js';

describe('reply intent: AI with a rule fallback', () => {
  let ai: Awaited<ReturnType<typeof startOpenAI>>;
  let classify: ReturnType<typeof createIntentClassifier>;

  before(async () => {
    ai = await startOpenAI({ apiKey: 'sk-intent' });
    classify = createIntentClassifier({ openai: { apiKey: 'sk-intent', baseUrl: `${ai.url}/v1`, model: 'gpt-4o-mini', timeoutMs: 2000, maxRetries: 1 } });
  });
  after(async () => {
    await ai?.close();
  });

  test('a confident AI answer decides, and the request uses structured output with the reply as data', async () => {
    ai.completions.push(JSON.stringify({ intent: 'question', confidence: 0.92 }));
    const r = await classify('Does it come in blue?');
    assert.deepEqual(r, { intent: 'question', confidence: 0.92, path: 'ai' });
    const body = JSON.parse(ai.requests.at(-1)?.body ?? '{}') as {
      response_format?: { type: string; json_schema: { strict: boolean } };
      messages: Array<{ role: string; content: string }>;
    };
    assert.equal(body.response_format?.type, 'json_schema');
    assert.equal(body.response_format?.json_schema.strict, true);
    assert.deepEqual(JSON.parse(body.messages[1]?.content ?? '{}'), { reply: 'Does it come in blue?' });
  });

  test('low confidence, unknown intents and malformed answers fall back to the rules', async () => {
    ai.completions.push(JSON.stringify({ intent: 'interested', confidence: 0.4 }));
    const low = await classify('Not interested, thanks');
    assert.deepEqual([low.intent, low.path, low.confidence], ['not_interested', 'rules', 0.4]);
    ai.completions.push(JSON.stringify({ intent: 'buy-now', confidence: 0.99 }));
    assert.equal((await classify('Stop emailing me')).intent, 'unsubscribe');
    ai.completions.push('not json');
    assert.match((await classify('hello')).reason ?? '', /not JSON/);
  });

  test('API errors after the retries and a missing key use the rules', async () => {
    ai.faults.push({ status: 500 }, { status: 500 });
    const failed = await classify('Can I book a test drive on Friday?');
    assert.deepEqual([failed.intent, failed.path], ['interested', 'rules']);
    assert.match(failed.reason ?? '', /AI failed/);
    const offline = await createIntentClassifier()('wrong number');
    assert.deepEqual([offline.intent, offline.path, offline.reason], ['wrong_person', 'rules', 'no OpenAI API key configured']);
  });
});
