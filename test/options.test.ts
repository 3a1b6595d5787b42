import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { completeAnswers, loadAnswersFile, type RawAnswers } from '../generators/lib/answers.ts';
import { ValidationError } from '../generators/lib/errors.ts';
import { answerKeys, optionTable } from '../generators/lib/options.ts';
import { defaultKubernetesVersion, kubernetesVersions, pin } from '../generators/lib/pins.ts';
import { toolVersions } from './support/tools.ts';

/** A complete, valid answer set; each bad case below changes one thing. */
const good: RawAnswers = {
  org: 'acme',
  githubOwner: 'acme-inc',
  awsAccountId: '123456789012',
  awsRegion: 'eu-west-1',
  environments: ['dev', 'staging', 'prod'],
  kubernetesVersion: '1.33',
  domain: 'example.com',
  service: 'orders',
  port: '8080',
};

// biome-ignore lint/suspicious/noTemplateCurlyInString: the literal ${{ }} is the input under test.
const metacharacters = ['a: b', 'x"y', "x'y", 'a\nb', '$(id)', '`id`', '${{ github.token }}', 'a;b', '#x', '{x}'];
const freeText = ['org', 'githubOwner', 'awsRegion', 'domain', 'service', 'environments', 'kubernetesVersion'] as const;

/** [field, value, fragment of the rule that must be named]. */
const badInputs: [string, unknown, string][] = [
  ['org', 'Acme', 'DNS-1123 label'],
  ['org', 'a', '2-32 characters'],
  ['org', 'a'.repeat(33), '2-32 characters'],
  ['org', '-acme', 'DNS-1123 label'],
  ['org', 'acme-', 'DNS-1123 label'],
  ['org', 'ac_me', 'DNS-1123 label'],
  ['org', 42, 'must be a string'],
  ['githubOwner', '-acme', 'GitHub owner name'],
  ['githubOwner', 'acme--inc', 'GitHub owner name'],
  ['githubOwner', 'a'.repeat(40), 'GitHub owner name'],
  ['awsAccountId', '12345678901', 'exactly 12 digits'],
  ['awsAccountId', '1234567890123', 'exactly 12 digits'],
  ['awsAccountId', '12345678901a', 'exactly 12 digits'],
  ['awsAccountId', 1234567890123, 'exactly 12 digits'],
  ['awsAccountId', -1, 'exactly 12 digits'],
  ['awsAccountId', 12345678.5, 'exactly 12 digits'],
  ['accounts', { dev: '1234' }, 'exactly 12 digits'],
  ['accounts', 'dev', 'environment=accountId pairs'],
  ['accounts', { qa: '111111111111' }, 'not in environments'],
  ['awsRegion', 'eu-west', 'AWS region'],
  ['awsRegion', 'EU-WEST-1', 'AWS region'],
  ['awsRegion', 'mars-central-1x', 'AWS region'],
  ['awsRegion', 'us-gov-west-1', 'AWS region'],
  ['awsRegion', 'cn-north-1', 'aws-cn partition'],
  ['environments', ['dev', 'global'], 'reserved'],
  ['environments', ['prod-plan', 'prod'], 'must not end in -plan'],
  ['environments', [], 'must not be empty'],
  ['environments', '', 'must not be empty'],
  ['environments', ['dev', 'dev'], 'must not repeat'],
  ['environments', ['dev', 'Prod'], 'DNS-1123 label'],
  ['environments', ['d'], '2-12 characters'],
  ['environments', ['production-eu-1'], '2-12 characters'],
  ['kubernetesVersion', '1.20', 'supported by EKS'],
  ['kubernetesVersion', '2.0', 'supported by EKS'],
  ['domain', 'localhost', 'DNS name'],
  ['domain', 'Example.com', 'DNS name'],
  ['domain', 'example..com', 'DNS name'],
  ['domain', '10.0.0.1', 'DNS name'],
  ['service', 'argocd', 'reserved'],
  ['service', 'kube-system', 'reserved'],
  ['service', 'kube-anything', 'reserved'],
  ['service', 'external-secrets', 'reserved'],
  ['service', 'acme-infra', 'clashes with the repo name'],
  ['service', 'acme-gitops', 'clashes with the repo name'],
  ['service', 'x', '2-40 characters'],
  ['service', 'a'.repeat(41), '2-40 characters'],
  ['port', '80', '1024 to 65535'],
  ['port', '65536', '1024 to 65535'],
  ['port', '8080.5', '1024 to 65535'],
  ['port', 'http', '1024 to 65535'],
  ...freeText.flatMap((field) =>
    metacharacters.map((value): [string, unknown, string] => [
      field,
      field === 'environments' ? ['dev', value] : value,
      '',
    ]),
  ),
];

function refusal(raw: RawAnswers): ValidationError {
  try {
    completeAnswers(raw, false);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  assert.fail(`accepted ${JSON.stringify(raw)}`);
}

describe('answers: validation', () => {
  it('accepts the reference answer set', () => {
    const answers = completeAnswers(good, false);
    assert.equal(answers.port, 8080);
    assert.deepEqual(answers.environments, ['dev', 'staging', 'prod']);
  });

  it(`has at least 30 bad inputs in its table (${badInputs.length})`, () => {
    assert.ok(badInputs.length >= 30);
  });

  for (const [field, value, rule] of badInputs) {
    it(`refuses ${field} = ${JSON.stringify(value)}`, () => {
      const error = refusal({ ...good, [field]: value });
      const violation = error.violations.find((v) => v.field === field);
      assert.ok(violation, `no violation for ${field}: ${error.message}`);
      assert.match(violation.rule, new RegExp(rule.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      // The message names the field, the value and the rule.
      assert.ok(error.message.includes(`${field}:`), error.message);
      assert.ok(error.message.includes(violation.rule), error.message);
    });
  }

  it('reports every bad answer at once', () => {
    const error = refusal({ ...good, org: 'A', port: '1', awsRegion: 'x' });
    assert.deepEqual(error.violations.map((v) => v.field).sort(), ['awsRegion', 'org', 'port']);
  });

  it('lists the answers that are required and missing', () => {
    const error = refusal({});
    assert.deepEqual(error.violations.map((v) => v.field).sort(), ['awsAccountId', 'org']);
    assert.match(error.message, /--aws-account-id/);
  });

  it('fills every default with --defaults, including the demo org and documentation account', () => {
    const answers = completeAnswers({}, true);
    assert.equal(answers.org, 'acme');
    assert.equal(answers.githubOwner, 'acme');
    assert.equal(answers.awsAccountId, '123456789012');
    assert.deepEqual(answers.environments, ['dev', 'prod']);
    assert.equal(answers.domain, undefined);
  });

  it('declares every answer key of the spec, in one table', () => {
    assert.deepEqual(answerKeys, [
      'org',
      'githubOwner',
      'awsAccountId',
      'accounts',
      'awsRegion',
      'environments',
      'kubernetesVersion',
      'domain',
      'service',
      'port',
    ]);
    for (const [key, spec] of Object.entries(optionTable)) assert.ok(spec.description.length > 10, key);
  });
});

describe('answers: account IDs that lost their leading zero', () => {
  const dir = mkdtempSync(join(tmpdir(), 'answers-'));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('keeps the leading zero of an unquoted YAML account ID', () => {
    const raw = loadAnswersFile(
      file('a.yaml', 'org: acme\nawsAccountId: 012345678901\naccounts:\n  prod: 000000000042\n'),
    );
    const answers = completeAnswers({ ...raw, environments: ['dev', 'prod'] }, false);
    assert.equal(answers.awsAccountId, '012345678901');
    assert.deepEqual(answers.accounts, { prod: '000000000042' });
  });

  it('restores a JSON number to 12 digits', () => {
    const raw = loadAnswersFile(file('a.json', '{"org": "acme", "awsAccountId": 12345678901}'));
    assert.equal(completeAnswers(raw, false).awsAccountId, '012345678901');
  });

  it('refuses a number that cannot be an account ID', () => {
    const raw = loadAnswersFile(file('b.json', '{"org": "acme", "awsAccountId": 1234567890123}'));
    assert.match(refusal(raw).message, /awsAccountId: 1234567890123 must be exactly 12 digits/);
  });

  it('refuses unknown keys in the answers file, naming them', () => {
    const raw = () => loadAnswersFile(file('c.yaml', 'org: acme\nregion: eu-west-1\n'));
    assert.throws(raw, /region: "eu-west-1" is not a known answer/);
  });

  it('refuses an answers file that is not a map, or not valid', () => {
    assert.throws(() => loadAnswersFile(file('d.yaml', '- a\n- b\n')), /must hold a map of answers/);
    assert.throws(() => loadAnswersFile(file('e.json', '{"org": ')), /not valid JSON/);
    assert.throws(() => loadAnswersFile(file('f.yaml', 'org: [\n')), /not valid YAML/);
    assert.throws(() => loadAnswersFile(join(dir, 'missing.yaml')), /cannot read/);
  });
});

describe('pins agree with the validation tools', () => {
  it('prepares offline Kubernetes schemas for every accepted kubernetesVersion, default first', () => {
    const versions = toolVersions();
    const prepared = versions.KUBERNETES_SCHEMA_VERSIONS.split(' ');
    for (const v of kubernetesVersions) assert.ok(prepared.includes(`${v}.0`), `no schemas for ${v}`);
    assert.equal(versions.KUBERNETES_SCHEMA_VERSION, `${defaultKubernetesVersion}.0`);
  });

  it('validates with the helm, kubeconform and yq versions the generated workflows install', () => {
    const versions = toolVersions();
    assert.equal(pin('tool.helm'), versions.HELM_VERSION);
    assert.equal(pin('tool.kubeconform'), versions.KUBECONFORM_VERSION);
    assert.equal(pin('tool.yq'), versions.YQ_VERSION);
    assert.equal(pin('tool.yamllint'), versions.YAMLLINT_VERSION);
  });
});
