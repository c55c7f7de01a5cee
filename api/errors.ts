// One error handler for the whole API: RFC 9457 problem+json, field errors for 4xx, and nothing
// internal (stack, SQL, hostnames) for 5xx — those go to the log with the request id.
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance } from 'fastify';

type ApiError = FastifyError & { field?: string };

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: ApiError, req, reply) => {
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ err }, 'request failed');
    const body: Record<string, unknown> = {
      type: 'about:blank',
      title: STATUS_CODES[status] ?? 'Error',
      status,
      detail: status >= 500 ? `The server could not complete the request; see the logs for request ${req.id}` : err.message,
      instance: req.url,
    };
    if (err.validation) {
      body.errors = err.validation.map((v) => ({
        field: `${v.instancePath || '/'}${typeof v.params?.missingProperty === 'string' ? `/${v.params.missingProperty}`.replace('//', '/') : ''}`,
        message: v.message,
      }));
    } else if (status < 500 && err.field !== undefined) {
      body.errors = [{ field: err.field, message: err.message }];
    }
    void reply.status(status).type('application/problem+json').send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).type('application/problem+json')
      .send({ type: 'about:blank', title: 'Not Found', status: 404, detail: `no route for ${req.method} ${req.url}`, instance: req.url });
  });
}
