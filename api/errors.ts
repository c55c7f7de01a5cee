// One error handler for the whole API: RFC 9457 problem+json, field errors for 4xx, and nothing
// internal (stack, SQL, hostnames) for 5xx — those go to the log with the request id.
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';

type ApiError = FastifyError & { field?: string };

/** An RFC 9457 problem answer: the one shape every non-2xx response of this API has. */
export function sendProblem(reply: FastifyReply, status: number, detail: string, extra: Record<string, unknown> = {}): FastifyReply {
  return reply
    .status(status)
    .type('application/problem+json')
    .send({ type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail, instance: reply.request.url, ...extra });
}

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: ApiError, req, reply) => {
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ err }, 'request failed');
    const detail = status >= 500 ? `The server could not complete the request; see the logs for request ${req.id}` : err.message;
    let errors: Array<{ field: string; message: string | undefined }> | undefined;
    if (err.validation) {
      errors = err.validation.map((v) => {
        // The property itself: a missing one, or an unknown one (a typo is named, not just its parent).
        // A missing top-level property is `/name`, not `//name` (instancePath is '' at the root).
        const prop = typeof v.params?.missingProperty === 'string' ? v.params.missingProperty : v.params?.additionalProperty;
        return { field: `${v.instancePath}${typeof prop === 'string' ? `/${prop}` : ''}` || '/', message: v.message };
      });
    } else if (status < 500 && err.field !== undefined) {
      errors = [{ field: err.field, message: err.message }];
    }
    void sendProblem(reply, status, detail, errors ? { errors } : {});
  });
  app.setNotFoundHandler((req, reply) => {
    void sendProblem(reply, 404, `no route for ${req.method} ${req.url}`);
  });
}
