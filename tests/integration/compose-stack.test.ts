// The evaluation stack (deploy/compose.yaml) without Docker: the file against the official Compose
// Specification schema (compose-go's, as `docker compose` validates it, after interpolation), then
// what no schema sees: mounted files exist, every host:port a service names is a service listening
// there, the start-up order holds, ports stay on loopback, leadflow's processes load their config
// from the env they get, and Prometheus, Grafana and Temporal's jobs agree with the file and the code.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { codecSettingsFromEnv } from '../../bin/lib/app-deps.js';
import { run } from '../../temporal/provision/exec.js';
import { COMPOSE_GO_VERSION, ensureComposeSchema } from '../../temporal/provision/compose-schema.js';
import { ensurePromtool } from '../../temporal/provision/promtool.js';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes.js';
import {
  assertListens,
  commandOf,
  DEPLOY,
  documented,
  envOf,
  hostPort,
  interpolate,
  leadflow,
  leadflowConfig,
  leadflowEnv,
  missingWithExample,
  model,
  mountOf,
  mountsOf,
  raw,
  read,
  reachable,
  required,
  services,
  svc,
  temporalConfig,
  templateDefault,
  yaml,
} from '../helpers/compose-file.js';

describe('compose stack: deploy/compose.yaml', () => {
  type Validate = ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null };
  let validate: Validate;
  const errorsOf = (v: Validate) => (v.errors ?? []).map((e) => `${e.instancePath} ${e.message}`).join('\n');

  before(async () => {
    const schema = JSON.parse(fs.readFileSync(await ensureComposeSchema(), 'utf8')) as { $schema: string };
    assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema', 'the draft Ajv2020 is loaded for');
    // Strict, so a keyword Ajv does not know fails here instead of going unchecked; but not about
    // two habits of this schema (`properties` without `type: object`, `required` naming a property
    // defined in a sibling branch), which are valid JSON Schema.
    validate = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictRequired: false }).compile(schema) as Validate;
  });

  test(`is valid against the Compose Specification schema (compose-go ${COMPOSE_GO_VERSION})`, () => {
    assert.ok(validate(model), errorsOf(validate));
  });

  test('the schema validation rejects a broken copy', () => {
    const unknownKey = structuredClone(model) as { services: Record<string, Record<string, unknown>> };
    unknownKey.services.api!.enviroment = { TYPO: '1' };
    assert.equal(validate(unknownKey), false, 'a misspelt service key passes');
    const badCondition = structuredClone(model);
    badCondition.services.api!.depends_on!.migrate!.condition = 'service_done';
    assert.equal(validate(badCondition), false, 'an unknown depends_on condition passes');
    assert.match(errorsOf(validate), /depends_on\/migrate\/condition/);
  });

  test('refuses to start without its passwords, and compose.env.example lists every setting', () => {
    const text = read('compose.yaml');
    const requiredInFile = new Set([...text.matchAll(/\$\{([A-Za-z_]\w*):\?/g)].map((m) => m[1]!));
    const referenced = new Set([...text.matchAll(/\$\{([A-Za-z_]\w*)/g)].map((m) => m[1]!));
    assert.deepEqual([...requiredInFile].sort(), [...required].sort(), 'the required values are the example’s empty ones');
    for (const name of ['POSTGRES_PASSWORD', 'TEMPORAL_DB_PASSWORD', 'GRAFANA_ADMIN_PASSWORD']) assert.ok(requiredInFile.has(name), `${name} is required`);
    for (const name of referenced) assert.ok(documented.has(name), `${name} is used but not in compose.env.example`);
    for (const name of documented) assert.ok(referenced.has(name), `compose.env.example documents ${name}, which compose.yaml never uses`);
    const missing = new Set<string>();
    interpolate(raw, {}, missing);
    assert.deepEqual([...missing].sort(), [...requiredInFile].sort(), 'without deploy/.env, interpolation names every missing value');
    assert.equal(missingWithExample.size, 0);
  });

  test('every mounted host path exists and every named volume is declared', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const m of mountsOf(s)) {
        if (m.bind) assert.ok(fs.existsSync(path.resolve(DEPLOY, m.source)), `${name} mounts ${m.source}, which does not exist`);
        else assert.ok(model.volumes && m.source in model.volumes, `${name} uses volume ${m.source}, which is not declared`);
      }
    }
  });

  test('ports are published on 127.0.0.1 only, to ports their services listen on', () => {
    let published = 0;
    for (const [name, s] of Object.entries(services)) {
      for (const p of s.ports ?? []) {
        const m = /^(\d+\.\d+\.\d+\.\d+):(\d+):(\d+)$/.exec(p);
        assert.ok(m, `${name} publishes "${p}" without a host IP (that is 0.0.0.0)`);
        assert.equal(m[1], '127.0.0.1', `${name} publishes ${p}`);
        assertListens(name, Number(m[3]), `${name}'s published port`);
        published++;
      }
    }
    assert.ok(published >= 6, `only ${published} ports published`);
    assert.equal(svc('worker').ports, undefined, 'the scaled worker publishes no port (replicas would collide)');
  });

  test('depends_on names services, waits on health checks and one-shot jobs that exist, and has no cycle', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        const target = svc(dep);
        if (condition === 'service_healthy') assert.ok(target.healthcheck?.test, `${name} waits for ${dep} to be healthy, which has no health check`);
        if (condition === 'service_completed_successfully') assert.equal(target.restart, 'no', `${name} waits for ${dep} to complete, which is restarted`);
      }
    }
    const startsAfter = (n: string, chain: string[] = []): number => {
      assert.ok(!chain.includes(n), `depends_on cycle: ${[...chain, n].join(' → ')}`);
      return 1 + Math.max(0, ...Object.keys(svc(n).depends_on ?? {}).map((d) => startsAfter(d, [...chain, n])));
    };
    Object.keys(services).forEach((n) => startsAfter(n));
    assert.deepEqual(Object.keys(svc('worker').depends_on ?? {}).sort(), ['mailpit', 'migrate', 'temporal-namespace']);
  });

  test('every SERVICE_HOST/_PORT pair and host:port address in the env is a service listening there', () => {
    let checked = 0;
    for (const [name, s] of Object.entries(services)) {
      const env = envOf(s);
      for (const [key, value] of Object.entries(env)) {
        const pair = /^(.*)_HOST$/.exec(key);
        if (pair && value in services) {
          assert.ok(env[`${pair[1]}_PORT`], `${name}: ${key} has no ${pair[1]}_PORT`);
          assertListens(value, Number(env[`${pair[1]}_PORT`]), `${name} ${key}`);
          checked++;
        }
        const address = /^(?:[a-z]+:\/\/(?:[^@/]*@)?)?([a-z][a-z0-9-]*):(\d+)(?:\/|$)/.exec(value);
        if (address && address[1]! in services) {
          assertListens(address[1]!, Number(address[2]), `${name} ${key}`);
          checked++;
        }
      }
    }
    assert.ok(checked >= 10, `only ${checked} references checked`);
  });

  test('leadflow processes load their config from the env they get, reaching this stack', () => {
    const pg = envOf(svc('postgres'));
    for (const name of leadflow) {
      const c = leadflowConfig(name);
      const db = new URL(c.databaseUrl ?? assert.fail(`${name} has no DATABASE_URL`));
      assert.deepEqual([db.hostname, db.username, db.password, db.pathname], ['postgres', pg.POSTGRES_USER, pg.POSTGRES_PASSWORD, `/${pg.POSTGRES_DB}`], name);
      assert.equal(c.temporal.embedded, false, `${name} would start its own dev server`);
      assert.equal(c.temporal.address.split(':')[0], 'temporal', name);
      assert.equal(c.smtp?.host, 'mailpit', `${name} sends past the SMTP catcher`);
    }
    assert.ok(reachable(leadflowConfig('api').api.host), 'the API listens where other containers reach it');
    // Payload keys and the other local secrets: generated into the data dir unless set, so the API
    // and every worker must share that directory (one named volume), or they could not read each other's payloads.
    const [api, worker] = [leadflowConfig('api'), leadflowConfig('worker')];
    if (api.privacy.payloadKeys === undefined || api.privacy.leadIdSecret === undefined) {
      assert.equal(api.dataDir, worker.dataDir);
      const volume = (n: string, dir: string) => mountsOf(svc(n)).find((m) => !m.bind && m.target === dir)?.source;
      assert.ok(volume('api', api.dataDir), 'the API keeps its data dir on a volume');
      assert.equal(volume('api', api.dataDir), volume('worker', worker.dataDir), 'the API and the workers share the data volume');
    }
    // The UI decrypts through the API's codec server: the API's published port and its token.
    const token = codecSettingsFromEnv(leadflowEnv('api')).accessToken ?? assert.fail('the API has no CODEC_ACCESS_TOKEN');
    const apiPublished = svc('api').ports?.[0]?.split(':')[1];
    assert.equal(envOf(svc('temporal-ui')).TEMPORAL_CODEC_ENDPOINT, `http://127.0.0.1:${apiPublished}/codec/t/${token}`);
    const uiPublished = svc('temporal-ui').ports?.[0]?.split(':')[1];
    assert.equal(new URL(api.temporal.uiUrl).port, uiPublished, "the codec server admits the UI's origin");
  });

  test("Temporal: the server gets its config's required env and files; the jobs agree with it and with the code", () => {
    const server = svc('temporal');
    const env = envOf(server);
    for (const [, name] of temporalConfig.matchAll(/required "[^"]*" \(env "(\w+)"\)/g)) assert.ok(env[name!], `temporal lacks ${name}`);
    assert.match(commandOf(server), new RegExp(`temporal-server --config-file ${mountOf(server, 'deploy/temporal/config.yaml')} .*start`));
    assert.equal(env.TEMPORAL_DYNAMIC_CONFIG, mountOf(server, 'deploy/temporal/dynamicconfig.yaml'));
    assert.ok(Number(env.NUM_HISTORY_SHARDS) >= 1);

    const schemaJob = svc('temporal-schema');
    const sql = envOf(schemaJob);
    assert.equal(sql.SQL_PLUGIN, /pluginName: (\S+)/.exec(temporalConfig)?.[1]);
    assert.deepEqual([sql.SQL_HOST, sql.SQL_USER, sql.SQL_PASSWORD], [env.TEMPORAL_DB_HOST, env.TEMPORAL_DB_USER, env.TEMPORAL_DB_PASSWORD]);
    const pg = envOf(svc('postgres'));
    assert.deepEqual([pg.TEMPORAL_DB_USER, pg.TEMPORAL_DB_PASSWORD], [env.TEMPORAL_DB_USER, env.TEMPORAL_DB_PASSWORD], 'the init script creates the role');
    const script = commandOf(schemaJob);
    for (const [db, schema] of [
      [env.TEMPORAL_DB_NAME ?? templateDefault('TEMPORAL_DB_NAME'), 'postgresql/v12/temporal'],
      [env.TEMPORAL_VISIBILITY_DB_NAME ?? templateDefault('TEMPORAL_VISIBILITY_DB_NAME'), 'postgresql/v12/visibility'],
    ]) {
      assert.match(script, new RegExp(`for db in [^;]*\\b${db}\\b[^;]*; do temporal-sql-tool --database "\\$db" create-database`), `creates ${db}`);
      assert.match(script, new RegExp(`--database ${db} setup-schema -v 0\\.0\\n`), `versions ${db}`);
      assert.match(script, new RegExp(`--database ${db} update-schema --schema-name ${schema}\\n`), `migrates ${db}`);
    }

    const nsScript = commandOf(svc('temporal-namespace'));
    const namespace = /namespace create --namespace (\S+)/.exec(nsScript)?.[1];
    for (const name of leadflow) assert.equal(leadflowConfig(name).temporal.namespace, namespace, `${name} uses the namespace the job creates`);
    const attrCall = /search-attribute create --namespace (\S+)([^&]*)&&/.exec(nsScript);
    assert.equal(attrCall?.[1], namespace);
    const created = [...(attrCall?.[2] ?? '').matchAll(/--name (\w+) --type (\w+)/g)].map((m) => `${m[1]}=${m[2]}`);
    const cliType = (t: string) => t.toLowerCase().replace(/(^|_)(\w)/g, (_m, _u, ch: string) => ch.toUpperCase()); // KEYWORD_LIST → KeywordList
    assert.deepEqual(created.sort(), SEARCH_ATTRIBUTES.map((k) => `${k.name}=${cliType(k.type)}`).sort());
  });

  test('Prometheus: its config and rule file are mounted where it reads them, and it scrapes the API and both worker endpoints', async () => {
    const prom = svc('prometheus');
    const configPath = /--config\.file=(\S+)/.exec(commandOf(prom))?.[1];
    assert.equal(configPath, mountOf(prom, 'deploy/prometheus/prometheus.yml'));
    const config = yaml('prometheus/prometheus.yml') as { rule_files: string[]; scrape_configs: Record<string, unknown>[] };
    const rules = config.rule_files.map((f) => path.posix.resolve(path.posix.dirname(configPath), f));
    assert.deepEqual(rules, [mountOf(prom, 'deploy/prometheus/alerts.yml')]);

    const targets: string[] = [];
    for (const job of config.scrape_configs as { static_configs?: { targets: string[] }[]; dns_sd_configs?: { names: string[]; port: number }[] }[]) {
      for (const sc of job.static_configs ?? []) targets.push(...sc.targets);
      for (const sd of job.dns_sd_configs ?? []) targets.push(...sd.names.map((n) => `${n}:${sd.port}`));
    }
    for (const t of targets) assertListens(...hostPort(t), `scrape target ${t}`);
    const worker = leadflowConfig('worker').temporal;
    const wanted = [
      `api:${leadflowConfig('api').api.port}`,
      ...[worker.sdkMetricsAddress, worker.workerMetricsAddress].map((a) => `worker:${hostPort(a ?? 'off:0')[1]}`),
    ];
    for (const w of wanted) assert.ok(targets.includes(w), `nothing scrapes ${w}`);

    const promtool = await ensurePromtool();
    const res = await run(promtool, ['check', 'config', path.join(DEPLOY, 'prometheus', 'prometheus.yml')], { timeoutMs: 60_000 });
    assert.equal(res.code, 0, res.output);
  });

  test('Grafana: provisioned with the Prometheus data source and the leadflow dashboard', () => {
    const grafana = svc('grafana');
    assert.equal(mountOf(grafana, 'deploy/grafana/provisioning/datasources'), '/etc/grafana/provisioning/datasources');
    assert.equal(mountOf(grafana, 'deploy/grafana/provisioning/dashboards'), '/etc/grafana/provisioning/dashboards');
    const { datasources } = yaml('grafana/provisioning/datasources/prometheus.yml') as { datasources: { type: string; url: string; isDefault?: boolean }[] };
    const prometheus = datasources.find((d) => d.type === 'prometheus' && d.isDefault);
    const url = new URL(prometheus?.url ?? assert.fail('no default Prometheus data source'));
    assertListens(url.hostname, Number(url.port), 'the data source');
    const dashboard = mountOf(grafana, 'deploy/grafana/leadflow.json');
    const { providers } = yaml('grafana/provisioning/dashboards/leadflow.yml') as { providers: { type: string; options: { path: string } }[] };
    assert.ok(
      providers.some((p) => p.type === 'file' && path.posix.dirname(dashboard) === p.options.path),
      `no provider reads ${path.posix.dirname(dashboard)}`,
    );
    assert.equal(envOf(grafana).GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH, dashboard);
  });
});
