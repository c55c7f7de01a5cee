// OpenAI API stand-in: bearer auth, OpenAI's error envelope, GET /v1/models/:id and
// POST /v1/chat/completions answering with the message content a test scripts (the JSON a
// structured-output call would return), plus scripted 401/429/500 faults.
import { stormReply, type FaultStorms } from './faults.js';
import { retryAfterHeader, startStandIn, takeFault, type Reply, type ScriptedFault, type StandIn } from './http.js';

export interface OpenAIOptions {
  apiKey: string;
  models?: string[];
  /** Message contents for successive completions, consumed in order; when empty, `defaultContent` answers. */
  completions?: string[];
  defaultContent?: string;
  /** Consumed one per completion request, after authentication; push more at any time. */
  faults?: ScriptedFault[];
  /** Time-boxed fault storms (chaos tests), checked on every completion after scripted faults. */
  storms?: FaultStorms;
  /**
   * Picks the answer from the request itself (e.g. by the customer named in the user message), so
   * a test can give chosen leads invalid output whatever order their drafts arrive in. Undefined
   * falls through to `completions` / `defaultContent`.
   */
  contentFor?: (request: { model: string; messages: Array<{ role: string; content: string }> }) => string | undefined;
}

export async function startOpenAI(opts: OpenAIOptions): Promise<StandIn & { faults: ScriptedFault[]; completions: string[] }> {
  const models = opts.models ?? ['gpt-4o-mini'];
  const faults = opts.faults ?? [];
  const completions = opts.completions ?? [];
  const err = (status: number, code: string | null, message: string, type = 'invalid_request_error', headers: Record<string, string> = {}): Reply => ({
    status,
    body: { error: { message, type, param: null, code } },
    headers,
  });
  const authed = (h: string | undefined) => h === `Bearer ${opts.apiKey}`;
  const unauthorized = () => err(401, 'invalid_api_key', 'Incorrect API key provided.');

  function faultReply(f: ScriptedFault): Reply {
    // retry-after-ms is what the SDK honours first; tests use it to keep retries fast.
    const headers = { ...retryAfterHeader(f), ...(f.retryAfter === undefined ? { 'retry-after-ms': '5' } : {}) };
    const reply =
      f.status === 401
        ? err(401, 'invalid_api_key', f.message ?? 'Incorrect API key provided.', 'invalid_request_error', headers)
        : f.status === 429
          ? err(429, 'rate_limit_exceeded', f.message ?? 'Rate limit reached for requests', 'requests', headers)
          : err(f.status, null, f.message ?? 'The server had an error while processing your request. Sorry about that!', 'server_error', headers);
    return f.delayMs === undefined ? reply : { ...reply, delayMs: f.delayMs };
  }

  function complete(raw: string): Reply {
    let req: { model?: unknown; messages?: unknown; response_format?: { type?: unknown; json_schema?: { name?: unknown; schema?: unknown } } };
    try {
      req = JSON.parse(raw) as typeof req;
    } catch {
      return err(400, null, 'We could not parse the JSON body of your request.');
    }
    if (typeof req.model !== 'string' || !models.includes(req.model))
      return err(404, 'model_not_found', `The model \`${String(req.model)}\` does not exist or you do not have access to it.`);
    if (!Array.isArray(req.messages) || req.messages.length === 0) return err(400, null, "Invalid 'messages': empty array.");
    const rf = req.response_format;
    if (rf?.type === 'json_schema' && (typeof rf.json_schema?.name !== 'string' || typeof rf.json_schema.schema !== 'object')) {
      return err(400, null, "Missing required parameter: 'response_format.json_schema'.");
    }
    const content =
      opts.contentFor?.({ model: req.model, messages: req.messages as Array<{ role: string; content: string }> }) ??
      completions.shift() ??
      opts.defaultContent ??
      '{"subject":null,"body":"Hello"}';
    return {
      status: 200,
      body: {
        id: `chatcmpl-standin${Date.now()}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: req.model,
        choices: [{ index: 0, message: { role: 'assistant', content, refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
        usage: { prompt_tokens: 100, completion_tokens: 50, total_tokens: 150 },
        service_tier: 'default',
        system_fingerprint: 'fp_standin',
      },
    };
  }

  let stormSeq = 0;
  const standIn = await startStandIn(
    [
      {
        method: 'GET',
        path: /^\/v1\/models\/(.+)$/,
        handle: (req, m) => {
          if (!authed(req.headers.authorization)) return unauthorized();
          const id = decodeURIComponent(m[1] ?? '');
          if (!models.includes(id)) return err(404, 'model_not_found', `The model \`${id}\` does not exist or you do not have access to it.`);
          return { status: 200, body: { id, object: 'model', created: 1715367049, owned_by: 'system' } };
        },
      },
      {
        method: 'POST',
        path: /^\/v1\/chat\/completions$/,
        handle: (req) => {
          if (!authed(req.headers.authorization)) return unauthorized();
          const fault = takeFault(faults);
          if (fault !== undefined) return faultReply(fault);
          const storm = opts.storms?.pick();
          // The 5xx answers carry retry-after-ms (see faultReply) so the SDK's own retries stay quick.
          if (storm !== undefined)
            return stormReply(
              storm,
              (status, headers) => faultReply({ status, ...(headers['retry-after'] !== undefined ? { retryAfter: headers['retry-after'] } : {}) }),
              stormSeq++,
            );
          return complete(req.body);
        },
      },
    ],
    () => err(404, 'unknown_url', 'Unknown request URL'),
  );
  return { ...standIn, faults, completions };
}
