// OpenAPI generated from the route schemas, served at /docs (UI) and /docs/json. The docs show
// shapes only, no data, so they need no key.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';

export const docsPlugin = fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'leadflow API',
          version: '0.1.0',
          description: 'Leads in, lead state out. Every route but /health, /metrics and /docs needs an API key.',
        },
        components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'leadflow API key (leadflow apikey create)' } } },
        security: [{ apiKey: [] }],
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
  },
  { name: 'docs' },
);
