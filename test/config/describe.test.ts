import { expect } from 'chai';
import { configAsYaml } from '../../src/config/describe.js';
import { parseConfigText } from '../../src/config/load.js';
import type { DaemonConfig } from '../../src/config/schema.js';
import { ORIGINAL_CONFIG as ORIGINAL } from '../support/paths.js';

function parse(text: string): DaemonConfig {
  return parseConfigText(text, 'multihost.yaml', '/etc/anomaly_detector', {});
}

/** Everything but where the connection string came from (printed back, it comes from MONGODB_URI). */
function resolved(c: DaemonConfig): Omit<DaemonConfig, 'mongoUriOrigin'> {
  const { mongoUriOrigin: _origin, ...rest } = c;
  return rest;
}

const RICH = `
MONGODB_URI: "mongodb://db1:27017,db2:27017/?replicaSet=rs0"
MG_INPUT_DB: "logs"
MG_TARGET_DB: "anomalies"
MESSAGE_FIELD: "msg.text"
POLL_INTERVAL_SECONDS: 0.25
SETTLE_SECONDS: 5
THRESHOLD: 0.65
RETRAIN_CRON: "*/30 * * * *"
MODEL_DIR: "models"
WORKERS: 3
HTTP_LISTEN: "[::1]:9464"
LOG_LEVEL: "debug"
CREATE_INPUT_INDEXES: true
EXTRA_MASKS: [{ pattern: "TKT-[0-9]+", name: "ticket" }]
IGNORE: ["^heartbeat "]
LOG_SOURCES:
  "2024":
    HOSTNAMES: ["true", "10", "edge-01", "*"]
    MG_TARGET_COL: "a: b"
    THRESHOLD: 0.8
    IGNORE: ["# not a comment", "'quoted'"]
  web_logs:
    HOSTNAMES: ["dataform"]
    MG_TARGET_COL: "web_anomaly"
`;

/** Valid, if odd: values with line breaks, and source names with a meaning of their own in JavaScript or YAML. */
const ODD = `
MG_INPUT_DB: "logs"
MG_TARGET_DB: "anomalies"
STATE_COLLECTION: "st\\n ate"
MESSAGE_FIELD: "a\\nb"
MODEL_DIR: "/var/x\\ny"
LOG_SOURCES:
  "__proto__":
    HOSTNAMES: ["h1"]
    MG_TARGET_COL: "t1"
  "<<":
    HOSTNAMES: ["h2"]
    MG_TARGET_COL: "t2"
  syslog:
    HOSTNAMES: ["h3"]
    MG_TARGET_COL: "t3"
`;

describe('check-config output (the configuration in its own keys)', () => {
  it('prints YAML that resolves to the same configuration when read back', () => {
    for (const text of [ORIGINAL, RICH, ODD]) {
      const c = parse(text);
      const printed = configAsYaml(c);
      expect(resolved(parse(printed)), printed).to.deep.equal(resolved(c));
    }
  });

  it('uses the file keys, marks defaults, and says where the connection string came from', () => {
    const out = configAsYaml(parse(ORIGINAL));
    expect(out).to.include('POLL_INTERVAL_SECONDS: 1  # default');
    expect(out).to.include('MONGODB_URI: mongodb://172.17.18.83:27017/  # from MG_HOST/MG_PORT');
    expect(out).to.match(/^# WORKERS: 2 {2}# not set/m);
    expect(out).not.to.match(/pollIntervalMs|mongoUri|workersFromHosts/);
    const rich = configAsYaml(parse(RICH));
    expect(rich).to.include('POLL_INTERVAL_SECONDS: 0.25\n');
    expect(rich).to.include('WORKERS: 3\n');
    expect(rich).to.include('HTTP_LISTEN: "[::1]:9464"\n');
    expect(rich).to.include('MODEL_DIR: /etc/anomaly_detector/models\n');
    // The global mask shared by both sources is written out in each, not as a YAML anchor and alias.
    expect(rich.match(/pattern: TKT-\[0-9\]\+/g)).to.have.length(2);
  });

  it('shows a password as *** only', () => {
    const c = parse(`${ORIGINAL}MONGODB_URI: "mongodb://admin:hunter2@db:27017/?authSource=admin"\n`);
    const out = configAsYaml(c);
    expect(out).to.include('admin:***@db');
    expect(out).not.to.include('hunter2');
  });
});
