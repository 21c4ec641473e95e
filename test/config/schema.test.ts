import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, relative as relativePath } from 'node:path';
import { loadConfig, parseConfigText } from '../../src/config/load.js';
import { ConfigError, DEFAULTS, type DaemonConfig } from '../../src/config/schema.js';
import { redactUri } from '../../src/config/redact.js';
import { newClient } from '../../src/mongo/client.js';
import { ORIGINAL_CONFIG as ORIGINAL } from '../support/paths.js';
import { tempDir } from '../support/temp-dir.js';


function parse(text: string, env: NodeJS.ProcessEnv = {}): DaemonConfig {
  return parseConfigText(text, 'multihost.yaml', '/etc/anomaly_detector', env);
}

function problems(text: string, env: NodeJS.ProcessEnv = {}): Array<{ path: string; message: string }> {
  try {
    parse(text, env);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  expect.fail('configuration was accepted');
}

describe('configuration', () => {
  it('accepts the original multihost.yaml unchanged, with documented defaults', () => {
    const c = parse(ORIGINAL);
    expect(c.mongoUri).to.equal('mongodb://172.17.18.83:27017/');
    expect(c.inputDb).to.equal('logstoredb');
    expect(c.targetDb).to.equal('anomalydb');
    expect(c.sources.map((s) => [s.name, s.hostnames, s.targetCollection])).to.deep.equal([
      ['network_logs', ['cumulus', 'EXOS-VM', '172.17.18.178'], 'network_anomaly'],
      ['web_logs', ['dataform'], 'web_anomaly'],
    ]);
    expect(c.fields).to.deep.equal({ message: 'Message', hostname: 'Hostname', timestamp: 'timestamp' });
    expect(c.trainingWindowDays).to.equal(30);
    expect(c.threshold).to.equal(DEFAULTS.THRESHOLD);
    expect(c.sources[0].threshold).to.equal(DEFAULTS.THRESHOLD);
    expect(c.pollIntervalMs).to.equal(1000);
    expect(c.modelDir).to.equal('/var/lib/anomaly_detector/models');
    expect(c.httpListen).to.equal(null);
  });

  it('defaults the pool size to min(hosts, cpus) and honours WORKERS', () => {
    expect(parseConfigText(ORIGINAL, 'f', '/', {}).workers).to.be.at.most(4).and.at.least(1);
    expect(parse(`${ORIGINAL}WORKERS: 3\n`).workers).to.equal(3);
  });

  it('takes optional keys and a per-source threshold override', () => {
    const c = parse(
      ORIGINAL.replace('MG_TARGET_COL: "web_anomaly"', 'MG_TARGET_COL: "web_anomaly"\n    THRESHOLD: 0.5\n    EXTRA_MASKS: ["req-[0-9a-f]+"]') +
        'THRESHOLD: 0.8\nMESSAGE_FIELD: msg\nPOLL_INTERVAL_SECONDS: 0.25\nMODEL_DIR: models\nHTTP_LISTEN: "127.0.0.1:9464"\nRETRAIN_CRON: "*/5 * * * *"\n',
    );
    expect(c.sources[0].threshold).to.equal(0.8);
    expect(c.sources[1].threshold).to.equal(0.5);
    expect(c.sources[1].extraMasks).to.deep.equal([{ pattern: 'req-[0-9a-f]+' }]);
    expect(c.fields.message).to.equal('msg');
    expect(c.pollIntervalMs).to.equal(250);
    expect(c.modelDir).to.equal('/etc/anomaly_detector/models');
    expect(c.httpListen).to.deep.equal({ host: '127.0.0.1', port: 9464 });
  });

  it('takes dotted field paths, and names the key of a field name that cannot be copied into anomaly documents', () => {
    const c = parse(`${ORIGINAL}MESSAGE_FIELD: "log.message"\nHOSTNAME_FIELD: "host.name"\nTIMESTAMP_FIELD: "log.at"\n`);
    expect(c.fields).to.deep.equal({ message: 'log.message', hostname: 'host.name', timestamp: 'log.at' });
    const cases: Array<[string, string, RegExp]> = [
      ['MESSAGE_FIELD: "log..message"', 'MESSAGE_FIELD', /not a valid field name or dotted path/],
      ['MESSAGE_FIELD: ".message"', 'MESSAGE_FIELD', /not a valid field name or dotted path/],
      ['HOSTNAME_FIELD: "host."', 'HOSTNAME_FIELD', /not a valid field name or dotted path/],
      ['HOSTNAME_FIELD: "host.$name"', 'HOSTNAME_FIELD', /not a valid field name or dotted path/],
      ['HOSTNAME_FIELD: "source"', 'HOSTNAME_FIELD', /"source" is a field the daemon writes/],
      ['MESSAGE_FIELD: "template.text"', 'MESSAGE_FIELD', /"template" is a field the daemon writes/],
      ['TIMESTAMP_FIELD: "Message"', 'TIMESTAMP_FIELD', /"Message" overlaps MESSAGE_FIELD "Message"/],
      ['MESSAGE_FIELD: "log"\nTIMESTAMP_FIELD: "log.at"', 'TIMESTAMP_FIELD', /"log.at" overlaps MESSAGE_FIELD "log"/],
    ];
    for (const [text, path, message] of cases) {
      const p = problems(`${ORIGINAL}${text}\n`);
      expect(p.map((x) => x.path), text).to.deep.equal([path]);
      expect(p[0]!.message, text).to.match(message);
    }
  });

  it('reads LEVEL_FIELD as optional ("" or absent: none) and checks it as the other fields', () => {
    expect(parse(ORIGINAL).fields.level).to.equal(undefined);
    expect(parse(`${ORIGINAL}LEVEL_FIELD: ""\n`).fields.level).to.equal(undefined);
    expect(parse(`${ORIGINAL}LEVEL_FIELD: ~\n`).fields.level).to.equal(undefined);
    expect(parse(`${ORIGINAL}LEVEL_FIELD: "syslog_sever"\n`).fields).to.deep.equal({ message: 'Message', hostname: 'Hostname', timestamp: 'timestamp', level: 'syslog_sever' });
    expect(parse(`${ORIGINAL}LEVEL_FIELD: "log.level"\n`).fields.level).to.equal('log.level');
    const cases: Array<[string, RegExp]> = [
      ['LEVEL_FIELD: 3', /must be a field name, or "" for none, got number 3/],
      ['LEVEL_FIELD: ["level"]', /must be a field name, or "" for none/],
      ['LEVEL_FIELD: "Message"', /"Message" overlaps MESSAGE_FIELD "Message"/],
      ['LEVEL_FIELD: "timestamp.level"', /"timestamp.level" overlaps TIMESTAMP_FIELD "timestamp"/],
      ['LEVEL_FIELD: "reasons"', /"reasons" is a field the daemon writes/],
      ['LEVEL_FIELD: "_id"', /_id is the document's own identity/],
      ['LEVEL_FIELD: "log..level"', /not a valid field name or dotted path/],
    ];
    for (const [text, message] of cases) {
      const p = problems(`${ORIGINAL}${text}\n`);
      expect(p.map((x) => x.path), text).to.deep.equal(['LEVEL_FIELD']);
      expect(p[0]!.message, text).to.match(message);
    }
  });

  it('keeps input, target and state collections apart (a target read as input loops forever)', () => {
    const oneDb = ORIGINAL.replace(/MG_TARGET_DB: .*\n/, 'MG_TARGET_DB: "logstoredb"\n');
    expect(parse(oneDb).targetDb).to.equal(parse(oneDb).inputDb);
    const cases: Array<[string, string, RegExp]> = [
      [oneDb.replace('MG_TARGET_COL: "web_anomaly"', 'MG_TARGET_COL: "web_logs"'), 'LOG_SOURCES.web_logs.MG_TARGET_COL', /also an input collection/],
      [oneDb.replace('MG_TARGET_COL: "web_anomaly"', 'MG_TARGET_COL: "network_logs"'), 'LOG_SOURCES.web_logs.MG_TARGET_COL', /also an input collection/],
      [`${ORIGINAL}STATE_COLLECTION: "web_anomaly"\n`, 'LOG_SOURCES.web_logs.MG_TARGET_COL', /is the STATE_COLLECTION/],
      [`${oneDb}STATE_COLLECTION: "web_logs"\n`, 'STATE_COLLECTION', /also an input collection/],
    ];
    for (const [text, path, message] of cases) {
      const p = problems(text);
      expect(p.map((x) => x.path)).to.deep.equal([path]);
      expect(p[0]!.message).to.match(message);
    }
    // In two databases the same name is two collections.
    expect(parse(ORIGINAL.replace('MG_TARGET_COL: "web_anomaly"', 'MG_TARGET_COL: "web_logs"')).sources[1]!.targetCollection).to.equal('web_logs');
  });

  it('ignores MG_HOST and MG_PORT when a connection string is given, as documented', () => {
    const odd = ORIGINAL.replace(/MG_PORT: .*\n/, 'MG_PORT: 0\n');
    expect(odd).to.not.equal(ORIGINAL);
    expect(parse(odd, { MONGODB_URI: 'mongodb://db/' }).mongoUri).to.equal('mongodb://db/');
    expect(problems(odd).map((p) => p.path)).to.deep.equal(['MG_PORT']);
  });

  it('takes the connection string from the environment before the file, and from MONGODB_URI_FILE', () => {
    expect(parse(ORIGINAL, { MONGODB_URI: 'mongodb://u:p@db1,db2/?replicaSet=rs0' }).mongoUri).to.equal('mongodb://u:p@db1,db2/?replicaSet=rs0');
    expect(parse(`${ORIGINAL}MONGODB_URI: "mongodb+srv://cluster.example"\n`).mongoUri).to.equal('mongodb+srv://cluster.example');
    const p = problems(`${ORIGINAL}MONGODB_URI_FILE: /nonexistent/uri\n`);
    expect(p.map((x) => x.path)).to.deep.equal(['MONGODB_URI_FILE']);
  });

  it('reads MONGODB_URI_FILE from the environment relative to the config file, after both MONGODB_URI', () => {
    const dir = tempDir('ad-uri-');
    writeFileSync(join(dir, 'uri'), 'mongodb://from-file:27017/\n');
    const at = (text: string, env: NodeJS.ProcessEnv): DaemonConfig => parseConfigText(text, 'multihost.yaml', dir, env);
    const c = at(ORIGINAL, { MONGODB_URI_FILE: 'uri' });
    expect(c.mongoUri).to.equal('mongodb://from-file:27017/');
    expect(c.mongoUriOrigin).to.equal('environment MONGODB_URI_FILE');
    // The documented order: environment MONGODB_URI, the YAML's MONGODB_URI, then the files.
    expect(at(`${ORIGINAL}MONGODB_URI: "mongodb://from-yaml/"\n`, { MONGODB_URI_FILE: 'uri' }).mongoUri).to.equal('mongodb://from-yaml/');
    expect(at(ORIGINAL, { MONGODB_URI_FILE: 'uri', MONGODB_URI: 'mongodb://from-env/' }).mongoUri).to.equal('mongodb://from-env/');
    expect(at(`${ORIGINAL}MONGODB_URI_FILE: /nonexistent/uri\n`, { MONGODB_URI_FILE: 'uri' }).mongoUri).to.equal('mongodb://from-file:27017/');
    // A file that cannot be read is a configuration problem, not a crash.
    for (const bad of ['/nonexistent/uri', dir]) {
      expect(problems(ORIGINAL, { MONGODB_URI_FILE: bad }).map((x) => x.path)).to.deep.equal(['MONGODB_URI_FILE (environment)']);
    }
  });

  it('refuses a connection string the driver cannot parse, without printing its password', () => {
    for (const [uri, why] of [
      ['mongodb://u:s3cret@db:99999/', /Unable to parse db:99999/],
      ['mongodb://u:s3cret@db/?authMechanism=BOGUS', /authMechanism one of/],
      ['mongodb://db/?tls=maybe', /tls/],
      ['mongodb://db/?unknownOption=1', /not supported/],
    ] as const) {
      const p = problems(ORIGINAL, { MONGODB_URI: uri });
      expect(p.map((x) => x.path), uri).to.deep.equal(['MONGODB_URI (environment)']);
      expect(p[0]!.message).to.match(/^is not a valid connection string: /).and.match(why).and.not.include('s3cret');
    }
    expect(parse(ORIGINAL, { MONGODB_URI: 'mongodb://u:p@db1:27018,db2/?replicaSet=rs0&tls=true' }).mongoUri).to.match(/^mongodb:/);
    // A percent-encoded password is scrubbed in both forms.
    const enc = problems(ORIGINAL, { MONGODB_URI: 'mongodb://u:s3%40cret@db:99999/' });
    expect(enc[0]!.message).to.match(/Unable to parse/).and.not.include('s3%40cret').and.not.include('s3@cret');
  });

  it('refuses a connection string naming a TLS file that cannot be read (the driver would fail every connection as if MongoDB were down)', () => {
    const dir = tempDir('ad-tls-');
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\n');
    const tls = (q: string): string => `mongodb://u:s3cret@db/?tls=true&${q}`;
    expect(parse(ORIGINAL, { MONGODB_URI: tls(`tlsCAFile=${ca}&tlsCertificateKeyFile=${ca}`) }).mongoUri).to.include(ca);
    const missing = problems(ORIGINAL, { MONGODB_URI: tls(`tlsCAFile=${join(dir, 'nope.pem')}`) });
    expect(missing).to.deep.equal([{ path: 'MONGODB_URI (environment)', message: `tlsCAFile ${join(dir, 'nope.pem')} cannot be read: ENOENT` }]);
    const two = problems(`${ORIGINAL}MONGODB_URI: "${tls(`tlsCertificateKeyFile=${dir}&tlsCRLFile=rel/crl.pem`)}"\n`);
    expect(two.map((x) => x.path)).to.deep.equal(['MONGODB_URI', 'MONGODB_URI']);
    expect(two[0]!.message).to.equal(`tlsCertificateKeyFile ${dir} cannot be read: not a regular file`);
    expect(two[1]!.message).to.match(/^tlsCRLFile rel\/crl\.pem is a relative path: give an absolute one/);
    // Found from here is not found by the daemon: its working directory is its own.
    const relative = problems(ORIGINAL, { MONGODB_URI: tls(`tlsCAFile=${relativePath(process.cwd(), ca)}`) });
    expect(relative.map((x) => x.message)).to.deep.equal([`tlsCAFile ${relativePath(process.cwd(), ca)} is a relative path: give an absolute one (the daemon reads it from its own working directory, /var/lib/anomaly_detector under systemd)`]);
    for (const p of [...missing, ...two, ...relative]) expect(p.message).to.not.include('s3cret');
  });

  it("refuses a raw '@' in the credentials instead of taking the rest of the password for a host", () => {
    for (const uri of ['mongodb://admin:Sec@r3tPw@127.0.0.1:1/', 'mongodb://a@b:Secr3tPw@h/', 'mongodb+srv://u:p@ss@cluster.example/?tls=true']) {
      const p = problems(ORIGINAL, { MONGODB_URI: uri });
      expect(p.map((x) => x.path), uri).to.deep.equal(['MONGODB_URI (environment)']);
      expect(p[0]!.message).to.include('%40').and.not.include('r3tPw').and.not.include('Secr3tPw').and.not.include('ss@');
    }
    // Encoded, it is a password like any other.
    expect(parse(ORIGINAL, { MONGODB_URI: 'mongodb://admin:Sec%40r3tPw@127.0.0.1:1/' }).mongoUri).to.include('%40');
  });

  it('refuses a host in the connection string that no resolver takes, and allows underscores', () => {
    for (const uri of ['mongodb://local host/', 'mongodb://h_1!x/', 'mongodb://db1,db 2:27018/?replicaSet=rs0', 'mongodb+srv://clu ster.example/']) {
      const p = problems(ORIGINAL, { MONGODB_URI: uri });
      expect(p.map((x) => x.path), uri).to.deep.equal(['MONGODB_URI (environment)']);
      expect(p[0]!.message, uri).to.match(uri.includes(' ') ? /^holds a space, which a connection string cannot: a host name has none/ : /^host ".*" is not a host name or an IP address$/);
    }
    for (const uri of ['mongodb://mongo_1:27017/', 'mongodb://[::1]:27017/', 'mongodb://%2Ftmp%2Fmongodb-27017.sock/', 'mongodb+srv://cluster0.example.net/']) {
      expect(parse(ORIGINAL, { MONGODB_URI: uri }).mongoUri, uri).to.equal(uri);
    }
    expect(parse(ORIGINAL.replace(/MG_HOST: .*\n/, 'MG_HOST: "mongo_1"\n')).mongoUri).to.equal('mongodb://mongo_1:27017/');
  });

  it('refuses a connection string with an environment file comment after it, or a blank or # in it', () => {
    const dir = tempDir('ad-envcomment-');
    const env = join(dir, 'anomaly_detector.env');
    for (const line of ['MONGODB_URI=mongodb://svc:s3cret@db1:27017/?authSource=admin  # production cluster', 'MONGODB_URI="mongodb://db1:27017/" # prod', 'MONGODB_URI=mongodb://db1/?replicaSet=rs0 ;old']) {
      writeFileSync(env, `# the service's secrets\n${line}\n`);
      const file = join(dir, 'multihost.yaml');
      writeFileSync(file, ORIGINAL);
      let problem = '';
      try {
        loadConfig(file, [env], {});
      } catch (err) {
        problem = (err as ConfigError).problems.map((x) => `${x.path}: ${x.message}`).join('\n');
      }
      expect(problem, line).to.match(/^MONGODB_URI \(environment\): holds a space, which a connection string cannot: .* a # comment after the value in an environment file is part of the value/);
      expect(problem, line).not.to.include('s3cret');
    }
    const p = problems(ORIGINAL, { MONGODB_URI: 'mongodb://svc:pa#ss@db1/' });
    expect(p.map((x) => `${x.path}: ${x.message}`)).to.deep.equal([
      "MONGODB_URI (environment): holds a '#', which a connection string cannot: a host name has none, a password has it percent-encoded (%23), and a # comment after the value in an environment file is part of the value (comments go on lines of their own)",
    ]);
    expect(parse(ORIGINAL, { MONGODB_URI: 'mongodb://svc:pa%23ss%20x@db1/' }).mongoUri).to.equal('mongodb://svc:pa%23ss%20x@db1/');
    // Read from a file, the problem is the file's connection string, not the key naming the file.
    writeFileSync(join(dir, 'uri.txt'), 'MONGODB_URI=mongodb://db1/\n');
    const fromFile = (() => {
      try {
        parseConfigText(`${ORIGINAL}MONGODB_URI_FILE: uri.txt\n`, 'multihost.yaml', dir, {});
      } catch (err) {
        return (err as ConfigError).problems.map((x) => `${x.path}: ${x.message}`);
      }
      return [];
    })();
    expect(fromFile).to.deep.equal(['MONGODB_URI_FILE: the connection string in uri.txt: must start with mongodb:// or mongodb+srv:// followed by a host']);
  });

  it("keeps the connection string's own pool and timeout options, and checks them", () => {
    const options = newClient('mongodb://db/?maxPoolSize=50&ServerSelectionTimeoutMS=60000').options;
    expect([options.maxPoolSize, options.serverSelectionTimeoutMS, options.connectTimeoutMS]).to.deep.equal([50, 60000, 5000]);
    expect(newClient('mongodb://db/').options.maxPoolSize).to.equal(10);
    const p = problems(ORIGINAL, { MONGODB_URI: 'mongodb://db/?serverSelectionTimeoutMS=abc' });
    expect(p[0]!.message).to.match(/^is not a valid connection string: .*serverSelectionTimeoutMS/);
  });

  it('takes a key named __proto__ as an unknown key, not as the mapping its keys hide behind', () => {
    const top = problems(`${ORIGINAL}__proto__:\n  BOGUS_KEY: 1\n`);
    expect(top.map((x) => `${x.path}: ${x.message}`)).to.deep.equal(['__proto__: unknown key']);
    const inSource = problems(ORIGINAL.replace('MG_TARGET_COL: "web_anomaly"', 'MG_TARGET_COL: "web_anomaly"\n    __proto__: {TYPO: 1}'));
    expect(inSource.map((x) => x.path)).to.deep.equal(['LOG_SOURCES.web_logs.__proto__']);
  });

  it('names the training-lines key the user wrote, and says when the other one is a default', () => {
    const msg = (extra: string): string[] => problems(ORIGINAL + extra).map((p) => `${p.path}: ${p.message}`);
    expect(msg('MAX_TRAINING_LINES: 50\n')).to.deep.equal(['MAX_TRAINING_LINES: must be at least MIN_TRAINING_LINES (100, its default), or set MIN_TRAINING_LINES lower']);
    expect(msg('MIN_TRAINING_LINES: 2000000\n')).to.deep.equal(['MIN_TRAINING_LINES: must not exceed MAX_TRAINING_LINES (1000000, its default)']);
    expect(msg('MIN_TRAINING_LINES: 60\nMAX_TRAINING_LINES: 50\n')).to.deep.equal(['MIN_TRAINING_LINES: must not exceed MAX_TRAINING_LINES (50)']);
    // A bad value is reported once, not also compared as the default it fell back to.
    expect(msg('MIN_TRAINING_LINES: "x"\nMAX_TRAINING_LINES: 50\n')).to.deep.equal(['MIN_TRAINING_LINES: must be an integer from 1 to 10000000, got string "x"']);
  });

  it('says what is wrong in words: missing keys, empty mappings, NaN, binary data', () => {
    const base = 'MG_INPUT_DB: a\nMG_TARGET_DB: b\n';
    const msg = (text: string): string[] => problems(text).map((p) => `${p.path}: ${p.message}`);
    expect(msg(`${base}LOG_SOURCES:\n  x:\n    HOSTNAMES: [h]\n`)).to.deep.equal(['LOG_SOURCES.x.MG_TARGET_COL: is required: the collection that receives the anomalies']);
    expect(msg(`${base}LOG_SOURCES:\n  x:\n    MG_TARGET_COL: t\n`)).to.deep.equal(['LOG_SOURCES.x.HOSTNAMES: is required: a list of host names']);
    expect(msg(`${base}LOG_SOURCES: {}\n`)[0]).to.match(/got an empty mapping$/);
    expect(msg(`${base}THRESHOLD: .nan\nLOG_SOURCES: {x: {HOSTNAMES: [h], MG_TARGET_COL: t}}\n`)).to.deep.equal(['THRESHOLD: must be a number from 0 to 1, got number NaN']);
    expect(msg(`${base}LOG_SOURCES: !!binary aGVsbG8=\n`)[0]).to.match(/got binary data$/);
    expect(msg(`${base}MG_PORT: "x\n`)).to.deep.equal(['line 3, column 10: the "quote opened here is never closed']);
  });

  it('puts YAML mistakes in the words and at the line of the mistake', () => {
    const msg = (text: string): string[] => problems(text).map((p) => `${p.path}: ${p.message}`);
    // The library reports an unclosed quote where the file ends; the quote is where to look.
    expect(msg(`A: "it's"\nB: 'x\nC: "y"\n# a "comment\nD: 1\n`)).to.deep.equal(["line 2, column 4: the 'quote opened here is never closed"]);
    expect(msg(`${ORIGINAL}---\nTHRESHOLD: 0.4\n`)[0]).to.match(/^line \d+, column 1: a second YAML document starts here \(a "---" line\)/);
    expect(msg('MG_INPUT_DB:logstoredb\nMG_TARGET_DB: b\n')[0]).to.match(/^line 1, column 1: .*put a space after the colon \(KEY: value\)$/);
    expect(msg(`${ORIGINAL}THRESHOLD: ${'['.repeat(5000)}${']'.repeat(5000)}\n`)[0]).to.match(/^line \d+, column \d+: lists or mappings nested hundreds of levels deep here/);
    expect(msg(`${ORIGINAL}? [a, b]\n: 1\n`)).to.deep.equal([`line ${ORIGINAL.split('\n').length}, column 3: a key must be a name, not a list or a mapping`]);
    // An unquoted cron expression starting with `*` is a burst of alias errors to YAML: one problem, what to write.
    const cronLine = ORIGINAL.split('\n').length;
    expect(msg(`${ORIGINAL}RETRAIN_CRON: */30 2 * * *   # twice an hour\n`)).to.deep.equal([`line ${cronLine}, column 15: YAML reads a value starting with * as an alias: put the value in quotes, RETRAIN_CRON: "*/30 2 * * *"`]);
    expect(msg(`${ORIGINAL}RETRAIN_CRON: */5 * * * *\n`)).to.have.length(1);
    expect(msg(`${ORIGINAL}RETRAIN_CRON: @weekly\n`)).to.deep.equal([`line ${cronLine}, column 15: YAML reserves @ at the start of a value: put the value in quotes, RETRAIN_CRON: "@weekly"`]);
    // An unclosed [ or { is where it opens, not at the healthy line after it.
    const head = 'MG_INPUT_DB: a\nMG_TARGET_DB: b\nLOG_SOURCES:\n';
    expect(msg(`${head}  x:\n    HOSTNAMES: ["a", "b"\n    MG_TARGET_COL: t\n`)).to.deep.equal(['line 5, column 16: the [ opened here is never closed with ]']);
    expect(msg(`${head}  x: {HOSTNAMES: [a, "b]"],\n    MG_TARGET_COL: t\n  y: 1\n`)).to.deep.equal(['line 4, column 6: the { opened here is never closed with }']);
    // An alias whose anchor is misspelt or set further down: at its line, by name.
    expect(msg(`${head}  x: &common\n    HOSTNAMES: [a]\n    MG_TARGET_COL: t\n  y:\n    <<: *comon\n    HOSTNAMES: [b]\n`)).to.deep.equal([
      'line 8, column 9: *comon refers to nothing: no anchor &comon is set in the file (an anchor must come before the aliases that use it)',
    ]);
    expect(msg(`${head}  y:\n    <<: *later\n    HOSTNAMES: [b]\n  x: &later\n    HOSTNAMES: [a]\n    MG_TARGET_COL: t\n`)).to.deep.equal([
      'line 5, column 9: *later refers to nothing: its anchor &later is set only further down (an anchor must come before the aliases that use it)',
    ]);
    // A source name YAML reads as a number written otherwise; one it writes back the same is fine.
    expect(msg(`${head}  007:\n    HOSTNAMES: [a]\n    MG_TARGET_COL: t\n  1.10: {HOSTNAMES: [b], MG_TARGET_COL: u}\n`)).to.deep.equal([
      'line 4, column 3: YAML reads the key 007 as 7: put it in quotes, "007":',
      'line 7, column 3: YAML reads the key 1.10 as 1.1: put it in quotes, "1.10":',
    ]);
    expect(parse(`${head}  2024:\n    HOSTNAMES: [a]\n    MG_TARGET_COL: t\n`).sources[0]!.name).to.equal('2024');
    // After the first mistake, the errors the library reads out of step are counted, not listed; duplicate keys stay listed.
    expect(msg(`${head}  x:\n    HOSTNAMES: ["a", "b"]]\n    MG_TARGET_COL: "t"\n  y: {HOSTNAMES: [c], MG_TARGET_COL: u\n`)).to.deep.equal([
      'line 5, column 26: Unexpected flow-seq-end token in YAML stream: "]"',
      '(yaml): 16 more YAML errors after the first, which may follow from it: fix it and check again',
    ]);
    expect(msg(`${head}  x:\n    HOSTNAMES:\n\t- "h"\n    MG_TARGET_COL: "t"\n`)[0]).to.equal('line 6, column 1: Tabs are not allowed as indentation');
    expect(msg(`THRESHOLD: 0.1\nTHRESHOLD: 0.2\n${head}  x:\n    HOSTNAMES: ["a"]]\n`).slice(0, 2)).to.deep.equal([
      'line 2, column 1: duplicate key "THRESHOLD": each key may appear once in a mapping',
      'line 7, column 21: Unexpected flow-seq-end token in YAML stream: "]"',
    ]);
    // Sources not indented under LOG_SOURCES: it is there, with nothing under it.
    expect(msg(`${head}network_logs:\n  HOSTNAMES: [a]\n  MG_TARGET_COL: t\n`)).to.deep.equal([
      'network_logs: unknown key',
      'LOG_SOURCES: has nothing under it: indent its sources below it (input collection -> { HOSTNAMES, MG_TARGET_COL })',
    ]);
    for (const empty of ['', '# only a comment\n', '\n\n']) {
      expect(msg(empty), JSON.stringify(empty)).to.deep.equal(['(root): the file is empty (or only comments): it needs at least MG_INPUT_DB, MG_TARGET_DB and LOG_SOURCES']);
    }
  });

  it('takes a key with no value as not set, at the top and in a source', () => {
    const c = parseConfigText(
      'MG_INPUT_DB: a\nMG_TARGET_DB: b\nTHRESHOLD:\nWORKERS:\nLOG_SOURCES:\n  x:\n    HOSTNAMES: [h1, h2, h3]\n    MG_TARGET_COL: t\n    THRESHOLD:\n',
      'multihost.yaml',
      '/etc/anomaly_detector',
      {},
    );
    expect(c.threshold).to.equal(DEFAULTS.THRESHOLD);
    expect(c.sources[0]!.threshold).to.equal(DEFAULTS.THRESHOLD);
    // WORKERS' default: min(hosts, CPUs), not 1.
    expect(c.workers).to.equal(Math.max(1, Math.min(3, cpus().length)));
  });

  it('reports a YAML alias bomb as a configuration problem', () => {
    let text = 'a0: &a0 [x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 6; i++) text += `a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]\n`;
    expect(problems(ORIGINAL + text).map((x) => x.path)).to.deep.equal(['(yaml)']);
  });

  it('reports every problem at once, each with its key path', () => {
    const bad = `MG_INPUT_DB: "logstoredb"
MG_PORT: "27017x"
THRESHOLD: 1.5
SURPRISE: 1
RETRAIN_CRON: "every sunday"
LOG_SOURCES:
  "network_logs":
    HOSTNAMES: ["cumulus", {"$ne": null}, "", 42, "cumulus"]
    MG_TARGET_COL: "net$anomaly"
    COLOUR: red
  "web_logs":
    HOSTNAMES: []
`;
    const paths = problems(bad).map((p) => p.path);
    expect(paths).to.include.members([
      'MG_TARGET_DB',
      'MG_PORT',
      'THRESHOLD',
      'SURPRISE',
      'RETRAIN_CRON',
      'LOG_SOURCES.network_logs.HOSTNAMES[1]',
      'LOG_SOURCES.network_logs.HOSTNAMES[2]',
      'LOG_SOURCES.network_logs.HOSTNAMES[3]',
      'LOG_SOURCES.network_logs.HOSTNAMES[4]',
      'LOG_SOURCES.network_logs.MG_TARGET_COL',
      'LOG_SOURCES.network_logs.COLOUR',
      'LOG_SOURCES.web_logs.HOSTNAMES',
      'LOG_SOURCES.web_logs.MG_TARGET_COL',
    ]);
  });

  it('refuses a query operator where a host name belongs, saying why', () => {
    const p = problems(ORIGINAL.replace('["dataform"]', '[{"$ne": null}]'));
    expect(p).to.have.length(1);
    expect(p[0].path).to.equal('LOG_SOURCES.web_logs.HOSTNAMES[0]');
    expect(p[0].message).to.match(/non-empty string.*mapping/);
  });

  it('reports YAML syntax errors and duplicate sources with their line', () => {
    expect(problems('LOG_SOURCES: [unclosed\n')[0].path).to.match(/^line \d+/);
    const dup = ORIGINAL + '  "web_logs":\n    HOSTNAMES: ["x"]\n    MG_TARGET_COL: "y"\n';
    expect(problems(dup)[0].message).to.equal('duplicate key "web_logs": each key may appear once in a mapping');
    expect(problems(`${ORIGINAL}THRESHOLD: 0.6\nTHRESHOLD: 0.7\n`)[0].message).to.equal('duplicate key "THRESHOLD": each key may appear once in a mapping');
    expect(problems(`${ORIGINAL}'n': 1\n'n': 2\n`)[0].message).to.equal("duplicate key 'n': each key may appear once in a mapping");
    // Keys are names: a number and the same digits quoted are one collection, as are true and "true".
    const base = 'MG_INPUT_DB: a\nMG_TARGET_DB: b\nLOG_SOURCES:\n';
    const src = (key: string): string => `  ${key}:\n    HOSTNAMES: ["h"]\n    MG_TARGET_COL: t\n`;
    for (const [k1, k2] of [['2024', '"2024"'], ['true', '"true"']]) {
      const p = problems(base + src(k1!) + src(k2!));
      expect(p.map((x) => x.message), `${k1} / ${k2}`).to.deep.equal([`duplicate key ${k2}: each key may appear once in a mapping`]);
    }
  });

  it('refuses non-mongo storage kinds, bad masks, bad listen addresses and an empty file', () => {
    const paths = problems(`${ORIGINAL}STORAGE_DATASINK: "es"\nEXTRA_MASKS: ["(unclosed"]\nHTTP_LISTEN: "nowhere"\n`.replace('STORAGE_DATASINK: "mg"\n', '')).map((p) => p.path);
    expect(paths).to.deep.equal(['STORAGE_DATASINK', 'HTTP_LISTEN', 'EXTRA_MASKS[0]']);
    expect(problems('')[0].path).to.equal('(root)');
  });

  it('refuses the mask rules a model would refuse at training, and takes the names it takes', () => {
    // Accepted here, a pattern matching the empty string failed every training of the source's hosts.
    const p = problems(`${ORIGINAL}EXTRA_MASKS: ["x*", {pattern: "id=[0-9]+", name: "bad name"}, {pattern: "y", name: 7}, {pattern: "z", name: &n [*n]}]\n`);
    expect(p.map((x) => `${x.path}: ${x.message}`)).to.deep.equal([
      'EXTRA_MASKS[0]: matches the empty string',
      `EXTRA_MASKS[1]: name "bad name" must be 1 to 64 letters, digits, '_', '.' or '-'`,
      'EXTRA_MASKS[2]: name must be a string, got number',
      'EXTRA_MASKS[3]: name must be a string, got object',
    ]);
    const c = parse(`${ORIGINAL}EXTRA_MASKS: [{pattern: "req-[0-9a-f]+", name: "req-id.v2"}, {pattern: "T[0-9]+", name: ~}]\n`);
    expect(c.sources[0].extraMasks).to.deep.equal([{ pattern: 'req-[0-9a-f]+', name: 'req-id.v2' }, { pattern: 'T[0-9]+' }]);
  });

  it('refuses IGNORE and EXTRA_MASKS patterns written in another dialect (\\p{...}, [[:digit:]])', () => {
    const p = problems(`${ORIGINAL}IGNORE: ["\\\\p{L}+ started"]\nEXTRA_MASKS: ["id=[[:digit:]]+"]\n`);
    expect(p.map((x) => `${x.path}: ${x.message}`)).to.deep.equal([
      'EXTRA_MASKS[0]: [:digit:] is a POSIX class, which JavaScript does not have (here it is a class of the characters in "[:digit:"): use a class such as [0-9]',
      'IGNORE[0]: \\p{...} is a Unicode property class, which JavaScript reads only with the u flag (here it is the text p{...}): use a class such as [A-Za-z]',
    ]);
  });

  it('takes IGNORE patterns, global ones first, and refuses bad ones naming each', () => {
    const c = parse(
      ORIGINAL.replace('MG_TARGET_COL: "web_anomaly"', 'MG_TARGET_COL: "web_anomaly"\n    IGNORE: ["GET /healthz "]') +
        'IGNORE: ["Failed none for invalid user \\\\S+", "^CRON"]\n',
    );
    expect(c.sources[0].ignore).to.deep.equal(['Failed none for invalid user \\S+', '^CRON']);
    expect(c.sources[1].ignore).to.deep.equal(['Failed none for invalid user \\S+', '^CRON', 'GET /healthz ']);
    expect(parse(ORIGINAL).sources[0].ignore).to.deep.equal([]);
    const p = problems(
      ORIGINAL.replace('MG_TARGET_COL: "web_anomaly"', 'MG_TARGET_COL: "web_anomaly"\n    IGNORE: "not a list"') + 'IGNORE: ["(unclosed", "", 42]\n',
    );
    expect(p.map((x) => x.path)).to.deep.equal(['IGNORE[0]', 'IGNORE[1]', 'IGNORE[2]', 'LOG_SOURCES.web_logs.IGNORE']);
    // Named as written, the same way for IGNORE and EXTRA_MASKS.
    expect(p[0].message).to.equal('invalid regular expression "(unclosed": Unterminated group');
    const masks = problems(`${ORIGINAL}EXTRA_MASKS: ["TKT-[0-9"]\n`);
    expect(masks.map((x) => `${x.path}: ${x.message}`)).to.deep.equal(['EXTRA_MASKS[0]: invalid regular expression "TKT-[0-9": Unterminated character class']);
  });

  it('refuses a target database that differs from the input one only in case, or is one of MongoDB\'s own', () => {
    const db = (input: string, target: string): string => ORIGINAL.replace(/MG_INPUT_DB: .*\n/, `MG_INPUT_DB: "${input}"\n`).replace(/MG_TARGET_DB: .*\n/, `MG_TARGET_DB: "${target}"\n`);
    expect(problems(db('logs', 'LOGS')).map((x) => x.path)).to.deep.equal(['MG_TARGET_DB']);
    for (const sys of ['admin', 'local', 'config']) expect(problems(db('logs', sys)).map((x) => x.path), sys).to.deep.equal(['MG_TARGET_DB']);
    expect(parse(db('logs', 'logs')).targetDb).to.equal('logs');
  });

  it('says an empty or unnamed MONGODB_URI_FILE is one problem, not two', () => {
    const dir = tempDir('ad-urifile-');
    writeFileSync(join(dir, 'empty'), '\n');
    const at = (text: string): Array<{ path: string; message: string }> => {
      try {
        parseConfigText(text, 'multihost.yaml', dir, {});
      } catch (err) {
        return (err as ConfigError).problems;
      }
      return [];
    };
    expect(at(`${ORIGINAL}MONGODB_URI_FILE: empty\n`)).to.deep.equal([{ path: 'MONGODB_URI_FILE', message: 'empty is empty: it must hold the connection string' }]);
    expect(at(`${ORIGINAL}MONGODB_URI_FILE: ""\n`).map((x) => x.path)).to.deep.equal(['MONGODB_URI_FILE']);
    expect(at(`${ORIGINAL}MONGODB_URI_FILE: "  "\n`).map((x) => x.path)).to.deep.equal(['MONGODB_URI_FILE']);
  });

  it('says an empty MONGODB_URI or MG_HOST is one problem, not also a bad connection string', () => {
    for (const key of ['MONGODB_URI', 'MG_HOST']) {
      for (const v of ['""', '"  "']) {
        // The original file sets MG_HOST already: that line goes, or the key would be a duplicate.
        const base = key === 'MG_HOST' ? ORIGINAL.replace(/^MG_HOST: .*\n/m, '') : ORIGINAL;
        const p = problems(`${base}${key}: ${v}\n`);
        expect(p.map((x) => `${x.path}: ${x.message}`), `${key}: ${v}`).to.have.length(1).and.satisfy((m: string[]) => m[0]!.startsWith(`${key}: must be a non-empty string`));
      }
    }
  });

  it('refuses a MONGODB_URI_FILE of several lines instead of taking them for one connection string', () => {
    const dir = tempDir('ad-urifile-');
    writeFileSync(join(dir, 'two'), 'mongodb://db1:27017/\nmongodb://db2:27017/\n');
    writeFileSync(join(dir, 'one'), '\n  mongodb://db1:27017/\r\n\n');
    expect(() => parseConfigText(`${ORIGINAL}MONGODB_URI_FILE: two\n`, 'multihost.yaml', dir, {})).to.throw(ConfigError, 'two holds more than one line');
    expect(parseConfigText(`${ORIGINAL}MONGODB_URI_FILE: one\n`, 'multihost.yaml', dir, {}).mongoUri).to.equal('mongodb://db1:27017/');
  });

  it('names the key an unknown one is most likely a typo of', () => {
    const p = problems(`${ORIGINAL}THRESHHOLD: 0.6\nlog_level: debug\nFOO: 1\n`.replace('MG_TARGET_COL: "web_anomaly"', 'MG_TARGET_COL: "web_anomaly"\n    HOSTNAME: ["x"]'));
    expect(p.map((x) => `${x.path}: ${x.message}`)).to.deep.equal([
      'THRESHHOLD: unknown key (did you mean THRESHOLD?)',
      'log_level: unknown key (did you mean LOG_LEVEL?)',
      'FOO: unknown key',
      'LOG_SOURCES.web_logs.HOSTNAME: unknown key (did you mean HOSTNAMES?)',
    ]);
  });

  it('refuses IGNORE patterns that match every line', () => {
    for (const pattern of ['.*', 'a*', '^', '(?:)|x', '.+', '^.+$', '\\S', '[^]', '.*.', '\\w']) {
      const p = problems(`${ORIGINAL}IGNORE: [${JSON.stringify(pattern)}]\n`);
      expect(p.map((x) => x.path), pattern).to.deep.equal(['IGNORE[0]']);
      expect(p[0]!.message).to.include('matches every line');
    }
    // Matching the empty line alone is not matching every line.
    expect(parse(`${ORIGINAL}IGNORE: ["^$", "^CRON "]\n`).sources[0]!.ignore).to.deep.equal(['^$', '^CRON ']);
    // Nor is matching every line of one kind: digits only, letters only.
    expect(parse(`${ORIGINAL}IGNORE: ["\\\\d", "[a-z]"]\n`).sources[0]!.ignore).to.deep.equal(['\\d', '[a-z]']);
  });

  it('refuses names pasted with typographic quotes, a space at an end or an invisible character, showing them', () => {
    const SOURCE = 'LOG_SOURCES:\n  network_logs:\n    HOSTNAMES: ["cumulus"]\n    MG_TARGET_COL: "network_anomaly"\n';
    const base = ORIGINAL.slice(0, ORIGINAL.indexOf('LOG_SOURCES:'));
    const cases: Array<[string, string, string]> = [
      [SOURCE.replace('["cumulus"]', '[“cumulus”]'), 'LOG_SOURCES.network_logs.HOSTNAMES[0]', 'typographic quotes'],
      [SOURCE.replace('["cumulus"]', '["cumulus "]'), 'LOG_SOURCES.network_logs.HOSTNAMES[0]', '"cumulus " has a space at its start or end'],
      [SOURCE.replace('["cumulus"]', '["cumulus\\u00a0"]'), 'LOG_SOURCES.network_logs.HOSTNAMES[0]', '"cumulus\\u00a0" has a space'],
      [SOURCE.replace('["cumulus"]', '["exos\\u200b"]'), 'LOG_SOURCES.network_logs.HOSTNAMES[0]', '"exos\\u200b" holds an invisible character (U+200B)'],
      [SOURCE.replace('network_logs:', '“network_logs”:'), 'LOG_SOURCES.“network_logs”', 'typographic quotes'],
      [SOURCE.replace('"network_anomaly"', '" tgt "'), 'LOG_SOURCES.network_logs.MG_TARGET_COL', 'space at its start or end'],
      [SOURCE.replace('"network_anomaly"', '".tgt"'), 'LOG_SOURCES.network_logs.MG_TARGET_COL', 'not a valid MongoDB collection name'],
      [SOURCE.replace('network_logs:', '".b":'), 'LOG_SOURCES..b', 'not a valid MongoDB collection name'],
      [SOURCE.replace('MG_TARGET_COL', 'MG_TARGET_COL\u00a0'), 'LOG_SOURCES.network_logs.MG_TARGET_COL\u00a0', 'unknown key (did you mean MG_TARGET_COL?): "MG_TARGET_COL\\u00a0" has a space'],
    ];
    for (const [sources, path, message] of cases) {
      const p = problems(base + sources);
      expect(p.map((x) => x.path), sources).to.include(path);
      expect(p.find((x) => x.path === path)!.message, sources).to.include(message);
    }
    expect(problems(ORIGINAL.replace('MG_INPUT_DB: "logstoredb"', 'MG_INPUT_DB: “logstoredb”')).map((x) => `${x.path}: ${x.message}`)).to.deep.equal([
      'MG_INPUT_DB: "“logstoredb”" is in typographic quotes (“ ” or ‘ ’), which would be part of the name: write straight quotes "..." or none',
    ]);
    expect(problems(`${ORIGINAL}MESSAGE_FIELD: "Message "\n`).map((x) => x.path)).to.deep.equal(['MESSAGE_FIELD']);
    expect(problems(`${ORIGINAL}TIMESTAMP_FIELD: "_id"\n`).map((x) => `${x.path}: ${x.message}`)).to.deep.equal([
      "TIMESTAMP_FIELD: _id is the document's own identity, which the daemon reads for its checkpoint: name the field holding the log line's value",
    ]);
    // Explicit YAML tags: a date, a set, an ordered mapping are said as what they are, not "an empty mapping".
    expect(problems(`${ORIGINAL}THRESHOLD: !!timestamp 2024-01-01\n`)[0]!.message).to.equal('must be a number from 0 to 1, got a date (2024-01-01T00:00:00.000Z)');
    expect(problems(`${ORIGINAL}IGNORE: !!set {a: null}\n`)[0]!.message).to.equal('must be a list of regular expressions, got a set (!!set)');
    expect(problems(`${ORIGINAL}STATE_COLLECTION: "state\\u200b"\n`).map((x) => x.path)).to.deep.equal(['STATE_COLLECTION']);
    expect(problems(`${ORIGINAL}MODEL_DIR: "/var/lib/models "\n`).map((x) => x.path)).to.deep.equal(['MODEL_DIR']);
    expect(problems(`${ORIGINAL}MODEL_DIR: "~/models"\n`).map((x) => `${x.path}: ${x.message}`)).to.deep.equal([
      'MODEL_DIR: "~/models" starts with ~, which only a shell expands: give an absolute path such as /var/lib/anomaly_detector/models',
    ]);
    // One of MongoDB's own databases in another case; a name of 63 characters but over 63 bytes.
    expect(problems(ORIGINAL.replace('MG_TARGET_DB: "anomalydb"', 'MG_TARGET_DB: "Admin"')).map((x) => x.path)).to.deep.equal(['MG_TARGET_DB']);
    expect(problems(ORIGINAL.replace('MG_TARGET_DB: "anomalydb"', `MG_TARGET_DB: "${'日'.repeat(22)}"`)).map((x) => x.path)).to.deep.equal(['MG_TARGET_DB']);
    // Spaces inside a name, other scripts, and apostrophes inside a word stay valid.
    const ok = parse(base + SOURCE.replace('["cumulus"]', '["core switch 1", "日本-01", "o’brien"]'));
    expect(ok.sources[0]!.hostnames).to.deep.equal(['core switch 1', '日本-01', 'o’brien']);
  });

  it('refuses an HTTP_LISTEN the listener could not use', () => {
    for (const bad of ['http://127.0.0.1:9464', '1.2.3.4.5:80', 'foo bar:80', '127.0.0.1:65536', '::1:9464', '[nothost]:80', 'nowhere']) {
      expect(problems(`${ORIGINAL}HTTP_LISTEN: ${JSON.stringify(bad)}\n`).map((x) => x.path), bad).to.deep.equal(['HTTP_LISTEN']);
    }
    expect(parse(`${ORIGINAL}HTTP_LISTEN: "[::1]:9464"\n`).httpListen).to.deep.equal({ host: '::1', port: 9464 });
    expect(parse(`${ORIGINAL}HTTP_LISTEN: "localhost:9464"\n`).httpListen).to.deep.equal({ host: 'localhost', port: 9464 });
    expect(parse(`${ORIGINAL}HTTP_LISTEN: "metrics-1.example.internal:1"\n`).httpListen).to.deep.equal({ host: 'metrics-1.example.internal', port: 1 });
    expect(parse(`${ORIGINAL}HTTP_LISTEN: ":9464"\n`).httpListen).to.deep.equal({ host: '127.0.0.1', port: 9464 });
  });

  it('takes a cron range that wraps around, as node-cron runs it (weekends as sat-sun)', () => {
    for (const good of ['5-1 * * * *', '0 3 * * FRI-MON', '0 3 * * sat-sun', '0 22-2 * * *', '0 3 * nov-feb *', '0 0-5,9-7 * * *', '30 0 3 * * 6-0', '0 3 * * 0', '0 1-5/2 * * *', '0 0 * * MON-FRI', '0 0 * jan-mar *', '0 3 * * 7', '@weekly', '15 0 3 * * 0-6']) {
      expect(parse(`${ORIGINAL}RETRAIN_CRON: "${good}"\n`).retrainCron, good).to.equal(good);
    }
  });

  it('says which field of a bad cron expression is wrong', () => {
    // The expression itself follows, as for every cron problem.
    const msg = (expr: string): string => problems(`${ORIGINAL}RETRAIN_CRON: "${expr}"\n`).map((p) => `${p.path}: ${p.message}`.replace(`: ${JSON.stringify(expr)}`, '')).join('\n');
    expect(msg('0 25 * * 0')).to.equal('RETRAIN_CRON: is not a valid cron expression: "25" is not a valid hour (0-23)');
    expect(msg('1-5/0 * * * *')).to.equal('RETRAIN_CRON: is not a valid cron expression: "1-5/0" is not a valid minute (0-59)');
    expect(msg('0 3 * * 8')).to.equal('RETRAIN_CRON: is not a valid cron expression: "8" is not a valid day of week (0-7 or sun-sat)');
    expect(msg('0 3 30 2 *')).to.equal('RETRAIN_CRON: is not a valid cron expression: day 30 never occurs in the month given');
    expect(msg('every sunday')).to.equal('RETRAIN_CRON: is not a valid cron expression: expected 5 or 6 fields but got 2');
    expect(msg('0 3 * * 0 2025')).to.equal('RETRAIN_CRON: is not a valid cron expression: node-cron has no year field (six fields are second minute hour day month weekday); leave the year out');
  });

  it('refuses an MG_HOST that is not one host name or address', () => {
    const withHost = (h: string): string => ORIGINAL.replace(/MG_HOST: .*/, `MG_HOST: ${JSON.stringify(h)}`);
    for (const bad of ['h/x', 'a b', 'db1,db2', 'user@db', 'db:27017', 'mongodb://db']) {
      expect(problems(withHost(bad)).map((x) => x.path), bad).to.deep.equal(['MG_HOST']);
    }
    expect(parse(withHost('db-1.example.internal')).mongoUri).to.equal('mongodb://db-1.example.internal:27017/');
    expect(parse(withHost('::1')).mongoUri).to.equal('mongodb://[::1]:27017/');
    expect(parse(withHost('[::1]')).mongoUri).to.equal('mongodb://[::1]:27017/');
  });

  it('refuses a MODEL_DIR on a kernel file system', () => {
    for (const bad of ['/proc/models', '/sys', '/dev/models', '/var/../proc/x']) {
      expect(problems(`${ORIGINAL}MODEL_DIR: ${JSON.stringify(bad)}\n`).map((x) => x.path), bad).to.deep.equal(['MODEL_DIR']);
    }
    expect(parse(`${ORIGINAL}MODEL_DIR: /dev/shm/models\n`).modelDir).to.equal('/dev/shm/models');
    expect(parse(`${ORIGINAL}MODEL_DIR: /var/lib/procedures\n`).modelDir).to.equal('/var/lib/procedures');
  });

  it('takes YAML merge keys, so sources can share settings', () => {
    const c = parse(`MG_INPUT_DB: a
MG_TARGET_DB: b
LOG_SOURCES:
  net: &common
    HOSTNAMES: ["r1"]
    MG_TARGET_COL: net_anomaly
    THRESHOLD: 0.7
  web:
    <<: *common
    HOSTNAMES: ["w1"]
    MG_TARGET_COL: web_anomaly
`);
    expect(c.sources.map((s) => [s.name, s.hostnames, s.targetCollection, s.threshold])).to.deep.equal([
      ['net', ['r1'], 'net_anomaly', 0.7],
      ['web', ['w1'], 'web_anomaly', 0.7],
    ]);
    expect(problems('MG_INPUT_DB: a\nMG_TARGET_DB: b\n<<: 5\n').map((x) => x.path)).to.deep.equal(['(yaml)']);
  });

  it('refuses a file that is not UTF-8 text, a huge file or a device, and a directory, saying which', () => {
    const dir = tempDir('ad-read-');
    const latin1 = join(dir, 'latin1.yaml');
    writeFileSync(latin1, Buffer.concat([Buffer.from(ORIGINAL.replace('"cumulus"', '"caf')), Buffer.from([0xe9]), Buffer.from('"')]));
    const big = join(dir, 'big.yaml');
    writeFileSync(big, `${ORIGINAL}# ${'x'.repeat(1 << 20)}\n`);
    const cases: Array<[string, RegExp]> = [
      [latin1, /not UTF-8 text/],
      [big, /larger than 1 MiB/],
      [dir, /EISDIR \(a directory, not a file\)/],
      [join(dir, 'missing.yaml'), /ENOENT \(no such file\)/],
      ['/dev/zero', /larger than 1 MiB/],
    ];
    for (const [file, why] of cases) {
      let message = '';
      try {
        loadConfig(file, [], {});
      } catch (err) {
        expect(err, file).to.be.instanceOf(ConfigError);
        message = (err as ConfigError).problems.map((p) => p.message).join('; ');
      }
      expect(message, file).to.match(why);
    }
  });

  it('redacts credentials in connection strings', () => {
    expect(redactUri('mongodb://alice:s3cret@db:27017/?authSource=admin')).to.equal('mongodb://alice:***@db:27017/?authSource=admin');
    expect(redactUri('mongodb+srv://bob@cluster/x?password=zz&tls=true')).to.equal('mongodb+srv://bob@cluster/x?password=***&tls=true');
    expect(redactUri('mongodb://db:27017/')).to.equal('mongodb://db:27017/');
    // A raw '@' in the password (refused by the configuration, but never printed either).
    expect(redactUri('mongodb://admin:Sec@r3tPw@127.0.0.1:1/')).to.equal('mongodb://admin:***@127.0.0.1:1/');
  });
});
