import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAnswersFile } from '../generators/lib/answers/file.ts';
import { allocateVpcCidrs } from '../generators/lib/answers/parsers.ts';
import { answerKeys, optionTable } from '../generators/lib/answers/table.ts';
import { completeAnswers, type RawAnswers, ruleAtPrompt } from '../generators/lib/answers/validate.ts';
import { formatValue, ValidationError } from '../generators/lib/errors.ts';
import { buildModel } from '../generators/lib/model.ts';
import { defaultKubernetesVersion, kubernetesVersions, pin } from '../generators/lib/pins.ts';
import { tempDir } from './support/temp.ts';
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
const expression = '${{ github.token }}';
const metacharacters = ['a: b', 'x"y', "x'y", 'a\nb', '$(id)', '`id`', expression, 'a;b', '#x', '{x}'];
const freeText = ['org', 'githubOwner', 'awsRegion', 'domain', 'service', 'environments', 'kubernetesVersion'] as const;

/** The rule a metacharacter value breaks first in each free-text field (the values pass the length checks)... */
const metacharacterRule: Record<(typeof freeText)[number], string> = {
  org: 'DNS-1123 label',
  githubOwner: 'GitHub owner name',
  awsRegion: 'AWS region',
  domain: 'DNS name',
  service: 'DNS-1123 label',
  environments: 'DNS-1123 label',
  kubernetesVersion: 'supported by EKS',
};
/** ...except where a length check runs first: the 19-character expression is too long for an environment. */
const metacharacterRuleOf = (field: (typeof freeText)[number], value: string): string =>
  field === 'environments' && value === expression ? '2-12 characters' : metacharacterRule[field];

// Values at the limits of the options table.
const label63 = 'a'.repeat(63);
/** A valid domain of `length` characters (193 to 255): three 63-character labels and a short last one. */
const domainOf = (length: number) => `${label63}.${label63}.${label63}.${'c'.repeat(length - 192)}`;
/** The longest service and environment names: with domainOf(199) the ingress host is 253 characters. */
const longestHostParts: RawAnswers = { service: 'a'.repeat(40), environments: ['dev', 'e'.repeat(12)] };
const environmentsOf = (count: number) => Array.from({ length: count }, (_, i) => `env${i}`);
const oldestKubernetes = kubernetesVersions[0];
const newestKubernetes = kubernetesVersions[kubernetesVersions.length - 1];
const minorStep = (version: string, by: number) => `1.${Number(version.split('.')[1]) + by}`;

/** What a bad row needs beyond its own field: the other answers its rule involves, the value it names. */
interface Context {
  with?: RawAnswers;
  /** The value the violation carries when it is not the given one (rules that span answers). */
  names?: unknown;
}

/** A fragment of a rule's text, or a pattern where one rule's text begins another's. */
type Fragment = string | RegExp;
/** A string account ID: the rule ends there (a number gets the rule below, which begins the same way). */
const twelveDigits = /exactly 12 digits$/;
const quoteIt = 'is a number, which loses leading zeros: quote it';

/** [field, value, fragment of the one rule that must be named, context]. */
const badInputs: [string, unknown, Fragment, Context?][] = [
  ['org', 'Acme', 'DNS-1123 label'],
  ['org', 'a', '2-32 characters'],
  ['org', 'a'.repeat(33), '2-32 characters'],
  ['org', '-acme', 'DNS-1123 label'],
  ['org', 'acme-', 'DNS-1123 label'],
  ['org', 'ac_me', 'DNS-1123 label'],
  ['org', 42, 'must be a string'],
  ['githubOwner', '', 'GitHub owner name'],
  ['githubOwner', '-acme', 'GitHub owner name'],
  ['githubOwner', 'acme--inc', 'GitHub owner name'],
  ['githubOwner', 'a'.repeat(40), 'GitHub owner name'],
  ['awsAccountId', '12345678901', twelveDigits],
  ['awsAccountId', '1234567890123', twelveDigits],
  ['awsAccountId', '12345678901a', twelveDigits],
  // A number never becomes an account ID: how many zeros it lost cannot be known.
  ['awsAccountId', 1234567890123, quoteIt],
  ['awsAccountId', 123456789012, quoteIt],
  ['awsAccountId', 1234, quoteIt],
  ['awsAccountId', 0, quoteIt],
  ['awsAccountId', -1, quoteIt],
  ['awsAccountId', 12345678.5, quoteIt],
  ['accounts', { dev: '1234' }, twelveDigits],
  ['accounts', { prod: 1e12 }, quoteIt],
  ['accounts', { prod: 123456789012 }, quoteIt],
  ['accounts', 'dev=111111111111,dev=222222222222', 'names "dev" more than once'],
  ['accounts', 'dev', 'environment=accountId pairs'],
  ['vpcCidrs', 'dev=10.10.0.0/20', 'must be a private /16'],
  ['vpcCidrs', 'dev=8.8.0.0/16', 'must be a private /16'],
  ['vpcCidrs', 'dev=10.256.0.0/16', 'must be a private /16'],
  ['vpcCidrs', 'dev=10.10.0.0/16,prod=10.10.0.0/16', 'each VPC needs a CIDR of its own'],
  ['vpcCidrs', 'Dev=10.10.0.0/16', 'is not an environment name'],
  ['vpcCidrs', 'dev', 'environment=CIDR pairs'],
  ['clusterAdmins', 'arn:aws:iam::123456789012:user/alice', 'must be an IAM role ARN'],
  ['clusterAdmins', 'platform-admin', 'must be an IAM role ARN'],
  ['clusterAdmins', ['arn:aws:iam::123456789012:role/a', 'arn:aws:iam::123456789012:role/a'], 'must not repeat'],
  ['clusterAdmins', 'arn:aws:iam::999999999999:role/admin', 'where no environment runs'],
  ['accounts', ['111111111111'], 'map of environment to 12-digit account ID'],
  ['accounts', { qa: '111111111111' }, 'not in environments', { names: 'qa' }],
  ['awsRegion', 'eu-west', 'AWS region'],
  ['awsRegion', 'eu-west-100', 'AWS region'],
  ['awsRegion', 'e-west-1', 'AWS region'],
  ['awsRegion', 'eur-west-1', 'AWS region'],
  ['awsRegion', 'EU-WEST-1', 'AWS region'],
  ['awsRegion', 'mars-central-1x', 'AWS region'],
  ['awsRegion', 'us-gov-west-1', 'AWS region'],
  ['awsRegion', 'cn-north-1', 'aws-cn partition'],
  ['environments', ['dev', 'global'], 'account-wide root'],
  ['environments', ['prod-plan', 'prod'], 'must not end in -plan'],
  ['environments', [], 'must not be empty'],
  ['environments', '', 'must not be empty'],
  ['environments', 42, 'list of environment names'],
  ['environments', environmentsOf(11), 'at most 10 environments'],
  ['environments', ['dev', 'dev'], 'must not repeat'],
  ['environments', ['dev', 'Prod'], 'DNS-1123 label'],
  ['environments', ['dev', 'd'], '2-12 characters'],
  ['environments', ['dev', 'e'.repeat(13)], '2-12 characters'],
  ['environments', ['dev', 'production-eu-1'], '2-12 characters'],
  // One environment would be both the one every merge deploys to and production.
  ['environments', ['prod'], 'at least two environments'],
  ['environments', 'dev', 'at least two environments'],
  ['kubernetesVersion', '1.20', 'supported by EKS'],
  ['kubernetesVersion', '2.0', 'supported by EKS'],
  ['kubernetesVersion', minorStep(oldestKubernetes, -1), 'supported by EKS'],
  ['kubernetesVersion', minorStep(newestKubernetes, 1), 'supported by EKS'],
  ['kubernetesVersions', 'dev=1.20', 'supported by EKS'],
  ['kubernetesVersions', 'dev', 'environment=version pairs'],
  ['kubernetesVersions', `dev=${oldestKubernetes},dev=${newestKubernetes}`, 'names "dev" more than once'],
  ['kubernetesVersions', { qa: newestKubernetes }, 'not in environments', { names: 'qa' }],
  ['domain', 'localhost', 'DNS name'],
  ['domain', 'Example.com', 'DNS name'],
  ['domain', 'example..com', 'DNS name'],
  ['domain', '10.0.0.1', 'DNS name'],
  ['domain', domainOf(201), 'DNS name'],
  // The rule text says nothing of the 63-character label limit; only 'DNS name' can be asserted.
  ['domain', `a${label63}.com`, 'DNS name'],
  ['domain', domainOf(200), 'longer than 253 characters', { with: longestHostParts }],
  ['service', 'argocd', 'platform namespace'],
  ['service', 'kube-system', 'platform namespace'],
  ['service', 'kube-anything', 'platform namespace'],
  ['service', 'external-secrets', 'platform namespace'],
  ['service', 'acme-infra', 'clashes with the repo name acme-infra'],
  ['service', 'acme-gitops', 'clashes with the repo name acme-gitops'],
  ['service', 'x', '2-40 characters'],
  ['service', 'a'.repeat(41), '2-40 characters'],
  ['port', '80', '1024 to 65535'],
  ['port', '1023', '1024 to 65535'],
  ['port', 1023, '1024 to 65535'],
  ['port', '65536', '1024 to 65535'],
  ['port', 65536, '1024 to 65535'],
  ['port', '8080.5', '1024 to 65535'],
  ['port', 'http', '1024 to 65535'],
  ...freeText.flatMap((field) =>
    metacharacters.map((value): [string, unknown, Fragment] => [
      field,
      field === 'environments' ? ['dev', value] : value,
      metacharacterRuleOf(field, value),
    ]),
  ),
];

/** [field, value, the parsed answer, other answers the limit involves]: each limit itself is accepted. */
const accepts: [string, unknown, unknown, RawAnswers?][] = [
  ['org', 'ab', 'ab'],
  ['org', ' acme ', 'acme'],
  ['org', 'a'.repeat(32), 'a'.repeat(32)],
  ['githubOwner', 'a', 'a'],
  ['githubOwner', 'a'.repeat(39), 'a'.repeat(39)],
  ['githubOwner', `${'a-'.repeat(19)}a`, `${'a-'.repeat(19)}a`],
  ['awsAccountId', '000000000000', '000000000000'],
  ['awsAccountId', '999999999999', '999999999999'],
  // Values are trimmed: a pasted answer often has spaces around it.
  ['awsAccountId', ' 123456789012 ', '123456789012'],
  ['accounts', { prod: '000000000000' }, { prod: '000000000000' }],
  ['accounts', 'dev=111111111111, prod=222222222222', { dev: '111111111111', prod: '222222222222' }],
  ['awsRegion', 'us-east-1', 'us-east-1'],
  ['awsRegion', 'eu-west-10', 'eu-west-10'],
  ['environments', environmentsOf(10), environmentsOf(10)],
  ['environments', 'dev, prod', ['dev', 'prod']],
  ['environments', ['ab', 'prod'], ['ab', 'prod']],
  ['environments', ['dev', 'e'.repeat(12)], ['dev', 'e'.repeat(12)]],
  ['kubernetesVersion', oldestKubernetes, oldestKubernetes],
  ['kubernetesVersion', newestKubernetes, newestKubernetes],
  // A JSON number: 1.35 and "1.35" are the same version.
  ['kubernetesVersion', Number(newestKubernetes), newestKubernetes],
  ['kubernetesVersions', `dev=${newestKubernetes}`, { dev: newestKubernetes }],
  // An environment on kubernetesVersion anyway is not recorded as its own: it follows the default again.
  ['kubernetesVersions', { dev: good.kubernetesVersion }, {}],
  ['domain', 'a.b', 'a.b'],
  ['domain', `${label63}.com`, `${label63}.com`],
  ['domain', domainOf(200), domainOf(200)],
  ['domain', domainOf(199), domainOf(199), longestHostParts],
  ['domain', '', ''],
  ['service', 'ab', 'ab'],
  ['service', 'a'.repeat(40), 'a'.repeat(40)],
  // Only kube-* is reserved, not every name starting with kube.
  ['service', 'kube', 'kube'],
  ['port', '1024', 1024],
  ['port', '65535', 65535],
  ['port', 1024, 1024],
  ['port', 65535, 65535],
];

/** A value for a test title; long strings by their length. */
const show = (value: unknown) =>
  typeof value === 'string' && value.length > 24
    ? `${JSON.stringify(value.slice(0, 8))}… (${value.length} characters)`
    : JSON.stringify(value);

const pattern = (fragment: Fragment) =>
  typeof fragment === 'string' ? new RegExp(fragment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : fragment;

function refusal(raw: RawAnswers): ValidationError {
  try {
    completeAnswers(raw, false);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  assert.fail(`accepted ${JSON.stringify(raw)}`);
}

/** The one violation a bad row causes; any other answer refused too would hide what the row tests. */
function violationOf([field, value, , context]: (typeof badInputs)[number]) {
  const error = refusal({ ...good, ...context?.with, [field]: value });
  assert.deepEqual(
    error.violations.map((v) => v.field),
    [field],
    error.message,
  );
  return { error, violation: error.violations[0] };
}

describe('answers: validation', () => {
  it('accepts the reference answer set', () => {
    const { platform, service } = completeAnswers(good, false);
    assert.equal(service.port, 8080);
    assert.deepEqual(platform.environments, ['dev', 'staging', 'prod']);
  });

  it('allocates each environment a VPC CIDR once: given ones kept, the others the lowest 10.N/16 nobody has had', () => {
    assert.deepEqual(allocateVpcCidrs(['dev', 'prod'], {}), { dev: '10.10.0.0/16', prod: '10.11.0.0/16' });
    // An environment added between two keeps the others where they are and takes a free one.
    const grown = allocateVpcCidrs(['dev', 'staging', 'prod'], { dev: '10.10.0.0/16', prod: '10.11.0.0/16' });
    assert.deepEqual(grown, { dev: '10.10.0.0/16', staging: '10.12.0.0/16', prod: '10.11.0.0/16' });
    // staging removed (its entry stays recorded), qa added: never staging's CIDR.
    assert.deepEqual(allocateVpcCidrs(['dev', 'qa', 'prod'], grown), {
      dev: '10.10.0.0/16',
      qa: '10.13.0.0/16',
      prod: '10.11.0.0/16',
      staging: '10.12.0.0/16',
    });
    const { platform } = completeAnswers({ ...good, vpcCidrs: 'staging=172.16.0.0/16' }, false);
    assert.deepEqual(platform.vpcCidrs, { dev: '10.10.0.0/16', staging: '172.16.0.0/16', prod: '10.11.0.0/16' });
    const model = buildModel(platform, [{ name: 'orders', port: 8080 }], { name: 'g', version: '0.0.0' });
    assert.deepEqual(
      model.environments.map((e) => e.vpcCidr),
      ['10.10.0.0/16', '172.16.0.0/16', '10.11.0.0/16'],
    );
  });

  it('takes cluster administrators of the platform’s accounts, and gives each environment those of its own', () => {
    const admins =
      'arn:aws:iam::123456789012:role/platform-admin, arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123abcd';
    const { platform } = completeAnswers({ ...good, accounts: 'prod=222222222222', clusterAdmins: admins }, false);
    assert.deepEqual(
      platform.clusterAdmins,
      admins.split(',').map((a) => a.trim()),
    );
    const model = buildModel(platform, [{ name: 'orders', port: 8080 }], { name: 'g', version: '0.0.0' });
    const byEnv = Object.fromEntries(model.environments.map((e) => [e.name, e.clusterAdminArns]));
    assert.deepEqual(byEnv, {
      dev: ['arn:aws:iam::123456789012:role/platform-admin'],
      staging: ['arn:aws:iam::123456789012:role/platform-admin'],
      prod: ['arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123abcd'],
    });
  });

  it(`has at least 30 bad inputs in its table (${badInputs.length})`, () => {
    assert.ok(badInputs.length >= 30);
  });

  it('names a rule for every bad input (an empty fragment would match any message)', () => {
    for (const [field, value, rule] of badInputs) {
      const text = typeof rule === 'string' ? rule : rule.source.replace(/^\^|\$$|^\(\?:\)$/g, '');
      assert.ok(text.trim() !== '', `${field} = ${JSON.stringify(value)}`);
    }
  });

  it('names each rule by a fragment that no other rule matches', () => {
    const fragments = new Map(badInputs.map((row) => [String(row[2]), row[2]]));
    const rules = new Map<string, string>();
    for (const row of badInputs) rules.set(violationOf(row).violation.rule, String(row[2]));
    for (const [name, fragment] of fragments) {
      for (const [rule, own] of rules) {
        if (own !== name) assert.doesNotMatch(rule, pattern(fragment), `${name} also matches the rule of ${own}`);
      }
    }
  });

  for (const row of badInputs) {
    const [field, value, rule, context] = row;
    it(`refuses ${field} = ${show(value)} (${rule})`, () => {
      const { error, violation } = violationOf(row);
      assert.match(violation.rule, pattern(rule));
      // The violation carries the offending value; the message names the field, that value and the rule.
      const offending = context?.names ?? value;
      assert.deepEqual(violation.value, offending);
      assert.ok(error.message.includes(`  - ${field}: ${formatValue(offending)} ${violation.rule}`), error.message);
    });
  }

  for (const [field, value, expected, others] of accepts) {
    it(`accepts ${field} = ${show(value)}`, () => {
      const { platform, service } = completeAnswers({ ...good, ...others, [field]: value }, false);
      const answers: Record<string, unknown> = { ...platform, service: service.name, port: service.port };
      assert.deepEqual(answers[field], expected);
    });
  }

  it('quotes the bad entry of a list in its rule', () => {
    const entries: [string, unknown, string][] = [
      ['environments', ['dev', 'Prod'], 'entry "Prod"'],
      ['environments', ['dev', 'global'], 'entry "global"'],
      ['environments', ['dev', 'dev'], '"dev"'],
      ['accounts', { dev: '1234' }, 'entry "dev"'],
      ['kubernetesVersions', { staging: '1.20' }, 'entry "staging"'],
    ];
    for (const [field, value, quote] of entries) {
      const { violation } = violationOf([field, value, quote]);
      assert.ok(violation.rule.includes(quote), `${violation.rule} does not quote ${quote}`);
    }
  });

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
    const { platform: answers } = completeAnswers({}, true);
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
      'kubernetesVersions',
      'domain',
      'vpcCidrs',
      'clusterAdmins',
      'service',
      'port',
    ]);
    for (const [key, spec] of Object.entries(optionTable)) assert.ok(spec.description.length > 10, key);
  });
});

describe('answers: account IDs that lost their leading zero', () => {
  const dir = tempDir('answers');
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('keeps the leading zero of an unquoted YAML account ID', () => {
    const raw = loadAnswersFile(
      file('a.yaml', 'org: acme\nawsAccountId: 012345678901\naccounts:\n  prod: 000000000042\n'),
    );
    const { platform: answers } = completeAnswers({ ...raw, environments: ['dev', 'prod'] }, false);
    assert.equal(answers.awsAccountId, '012345678901');
    assert.deepEqual(answers.accounts, { prod: '000000000042' });
  });

  it('refuses a JSON number as an account ID: quote it', () => {
    for (const id of ['12345678901', '123456789012', '1234567890123']) {
      const raw = loadAnswersFile(file(`n${id.length}.json`, `{"org": "acme", "awsAccountId": ${id}}`));
      assert.match(
        refusal(raw).message,
        new RegExp(`awsAccountId: ${id} is a number, which loses leading zeros: quote it`),
      );
    }
  });

  it('refuses a JSON answers file that gives a key twice (YAML too)', () => {
    const json = file('twice.json', '{"org": "acme", "accounts": {"dev": "111111111111", "dev": "222222222222"}}');
    assert.throws(() => loadAnswersFile(json), /gives "dev" more than once/);
    const yaml = file('twice.yaml', 'org: acme\norg: globex\n');
    assert.throws(() => loadAnswersFile(yaml), /not valid YAML: Map keys must be unique at line 2, column 1:$/);
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

describe('rules across answers, at the prompt that can fix them', () => {
  const known = { org: 'globex', environments: ['dev', 'prod'], accounts: { prod: '222222222222' } };
  it('a service name that clashes with a repo, or makes an ingress host too long', () => {
    assert.equal(ruleAtPrompt('service', 'globex-infra', known), 'clashes with the repo name globex-infra');
    assert.equal(ruleAtPrompt('service', 'web', known), undefined);
    const domain = `${'d'.repeat(60)}.${'e'.repeat(60)}.${'f'.repeat(60)}.${'g'.repeat(60)}.com`;
    assert.match(ruleAtPrompt('service', 'a'.repeat(12), { ...known, domain }) ?? '', /longer than 253 characters/);
  });
  it('a domain that makes the hosts of a service already named too long', () => {
    const domain = `${'d'.repeat(60)}.${'e'.repeat(60)}.${'f'.repeat(60)}.${'g'.repeat(60)}.com`;
    assert.match(ruleAtPrompt('domain', domain, { ...known, service: 'a'.repeat(12) }) ?? '', /longer than 253/);
    assert.equal(ruleAtPrompt('domain', 'example.com', { ...known, service: 'web' }), undefined);
  });
  it('environments that leave out an environment the accounts name', () => {
    assert.equal(ruleAtPrompt('environments', ['dev', 'staging'], known), 'leaves out prod, which accounts names');
    assert.equal(ruleAtPrompt('environments', ['dev', 'prod'], known), undefined);
  });
  it('a cluster administrator whose role is in an account where no environment runs', () => {
    const withAccount = { ...known, awsAccountId: '111111111111' };
    const stranger = 'arn:aws:iam::999999999999:role/admin';
    assert.equal(
      ruleAtPrompt('clusterAdmins', [stranger], withAccount),
      `${stranger} is a role of account 999999999999, where no environment runs (111111111111, 222222222222)`,
    );
    assert.equal(ruleAtPrompt('clusterAdmins', ['arn:aws:iam::222222222222:role/admin'], withAccount), undefined);
    assert.equal(ruleAtPrompt('clusterAdmins', [], withAccount), undefined);
  });
  it('nothing to say while the other answers are unknown', () => {
    assert.equal(ruleAtPrompt('service', 'globex-infra', {}), undefined);
    assert.equal(ruleAtPrompt('clusterAdmins', ['arn:aws:iam::999999999999:role/admin'], {}), undefined);
  });
});
