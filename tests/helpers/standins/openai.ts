// OpenAI API stand-in: bearer auth and OpenAI's error envelope.
import { startStandIn, type StandIn } from './http.js';

export async function startOpenAI(opts: { apiKey: string; models?: string[] }): Promise<StandIn> {
  const models = opts.models ?? ['gpt-4o-mini'];
  const err = (status: number, code: string, message: string) => ({ status, body: { error: { message, type: 'invalid_request_error', param: null, code } } });
  return startStandIn([
    {
      method: 'GET', path: /^\/v1\/models\/(.+)$/,
      handle: (req, m) => {
        if (req.headers.authorization !== `Bearer ${opts.apiKey}`) return err(401, 'invalid_api_key', 'Incorrect API key provided.');
        const id = decodeURIComponent(m[1] ?? '');
        if (!models.includes(id)) return err(404, 'model_not_found', `The model \`${id}\` does not exist or you do not have access to it.`);
        return { status: 200, body: { id, object: 'model', created: 1715367049, owned_by: 'system' } };
      },
    },
  ], () => err(404, 'unknown_url', 'Unknown request URL'));
}
