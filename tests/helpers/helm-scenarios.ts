// The value sets tests/integration/helm-chart.test.ts renders the chart with. Secrets are random
// per run, so a secret value found where it must not be can only have come from these values.
import { randomBytes } from 'node:crypto';
import { merge } from './helm-chart.js';

const key32 = () => randomBytes(32).toString('base64');
export const SECRETS = {
  payloadEncryptionKeys: `k1:${key32()}`,
  leadIdSecret: randomBytes(24).toString('hex'),
  inboxCredentialsKey: key32(),
  unsubscribeSecret: randomBytes(24).toString('hex'),
};
export const DB_URL = `postgres://leadflow:${randomBytes(9).toString('hex')}@postgres:5432/leadflow`;
export const TEMPORAL_API_KEY = `tck_${randomBytes(16).toString('hex')}`;
export const SMTP_PASSWORD = randomBytes(12).toString('hex');

/** The chart's defaults plus what it requires. */
export const minimal = { database: { url: DB_URL }, secrets: SECRETS };

export const scenarios = {
  minimal,
  /** A Secret managed outside the chart, Temporal over TLS, sized components. */
  existingSecretTls: {
    existingSecret: 'leadflow-credentials',
    temporal: { address: 'temporal.prod.internal:7233', namespace: 'leadflow-prod', tls: { enabled: true } },
    api: { replicas: 3, resources: { requests: { cpu: '300m', memory: '384Mi' }, limits: { cpu: '1', memory: '768Mi' } } },
    worker: { replicas: 5, resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { memory: '6Gi' } } },
  },
  /** ServiceMonitors on, budgets by minAvailable, an extra secret and plain settings for SMTP. */
  monitoring: merge(minimal, {
    secrets: { extra: { SMTP_PASSWORD } },
    config: { env: { SMTP_HOST: 'smtp.example.com', SMTP_USER: 'leads@example.com', SENDER_EMAIL: 'leads@example.com' } },
    serviceMonitor: { enabled: true, labels: { release: 'kube-prometheus-stack' } },
    api: { pdb: { minAvailable: 2 } },
    worker: { pdb: { minAvailable: '50%' } },
  }),
  /** Temporal Cloud with the API key in the chart's Secret, or in one of the operator's. */
  apiKey: merge(minimal, { temporal: { address: 'leadflow.a1b2c.tmprl.cloud:7233', namespace: 'leadflow.a1b2c', apiKey: { value: TEMPORAL_API_KEY } } }),
  apiKeyExternal: merge(minimal, { temporal: { apiKey: { existingSecret: 'temporal-cloud', existingSecretKey: 'api-key' } } }),
  /** mTLS from an operator's Secret (client pair and CA), a server name, and an image tag the build ID follows. */
  mtls: merge(minimal, {
    image: { tag: '0.4.2' },
    temporal: { address: '10.0.7.12:7233', tls: { existingSecret: 'temporal-client-tls', secretHasCA: true, serverName: 'temporal.prod.internal' } },
  }),
};
export type Scenario = keyof typeof scenarios;
