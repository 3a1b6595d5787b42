/**
 * @tools: a service with an Ingress admits the ALB from the VPC's public subnets only, and those are
 * the subnets Terraform makes: the infra repo's own expression (terraform/vpc) is evaluated by
 * `tofu console` on each environment's vpc_cidr (terraform.tfvars), and compared with the ipBlocks of
 * the NetworkPolicy that helm renders from the GitOps repo's values, for every environment.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { cidrSubnet } from '../generators/lib/model.ts';
import { renderRepo } from '../generators/lib/render/render.ts';
import { writeFiles } from '../generators/lib/repos/files.ts';
import { tempDir } from './support/temp.ts';
import { requireTool, run } from './support/tools.ts';
import { modelFor } from './support/workspace.ts';

const DIGEST = `sha256:${'cd'.repeat(32)}`;

describe('@tools NetworkPolicy: the ALB only, from the subnets Terraform makes', () => {
  const model = modelFor('full');
  let dir = '';
  before(() => {
    dir = tempDir('network-policy');
    writeFiles(join(dir, 'infra'), renderRepo(model, 'infra').files);
    writeFiles(join(dir, 'gitops'), renderRepo(model, 'gitops').files);
  });

  it('cidrSubnet computes what Terraform computes', function () {
    const tofu = requireTool(this, 'tofu');
    const cases: [string, number, number][] = [
      ['10.10.0.0/16', 8, 48],
      ['10.255.0.0/16', 8, 50],
      ['172.16.0.0/12', 8, 255],
      ['192.168.0.0/20', 4, 15],
      ['10.0.0.0/8', 16, 65535],
    ];
    const expression = `[${cases.map(([c, b, n]) => `cidrsubnet("${c}", ${b}, ${n})`).join(', ')}]`;
    const out = run(tofu, ['console'], { cwd: tempDir('tofu-console'), input: `jsonencode(${expression})\n` });
    assert.equal(out.status, 0, out.stderr);
    assert.deepEqual(
      JSON.parse(JSON.parse(out.stdout.trim())),
      cases.map(([c, b, n]) => cidrSubnet(c, b, n)),
    );
  });

  it('every environment: the ipBlocks of the rendered NetworkPolicy are the public subnets of its vpc_cidr', function () {
    const tofu = requireTool(this, 'tofu');
    const helm = requireTool(this, 'helm');
    const vpc = readFileSync(join(dir, 'infra', 'terraform', 'vpc', 'main.tf'), 'utf8');
    const zones = Number(/slice\(data\.aws_availability_zones\.available\.names, 0, (\d+)\)/.exec(vpc)?.[1]);
    const publicSubnets = /^\s*public_subnets\s*=\s*(.+)$/m.exec(vpc)?.[1];
    assert.ok(zones > 0 && publicSubnets, 'terraform/vpc has the zones and the public_subnets expression');
    const service = model.services[0];
    for (const env of model.environments) {
      const tfvars = readFileSync(join(dir, 'infra', 'environments', env.name, 'terraform.tfvars'), 'utf8');
      const cidr = /^vpc_cidr\s*=\s*"([^"]+)"$/m.exec(tfvars)?.[1];
      assert.ok(cidr, `${env.name}: vpc_cidr in terraform.tfvars`);
      const expression: string = (publicSubnets as string)
        .replaceAll('length(local.azs)', String(zones))
        .replaceAll('var.cidr', JSON.stringify(cidr));
      const out = run(tofu, ['console'], { cwd: tempDir('tofu-console'), input: `jsonencode(${expression})\n` });
      assert.equal(out.status, 0, `${expression}: ${out.stderr}`);
      const terraform: string[] = JSON.parse(JSON.parse(out.stdout.trim()));

      const valuesFile = join('environments', env.name, `${service.name}.yaml`);
      const values = parse(readFileSync(join(dir, 'gitops', valuesFile), 'utf8'));
      assert.equal(values.ingress.enabled, true, `${env.name}: an Ingress`);
      const rendered = run(
        helm,
        ['template', service.name, `charts/${service.name}`, '-f', valuesFile, '--set', `image.digest=${DIGEST}`],
        { cwd: join(dir, 'gitops') },
      );
      assert.equal(rendered.status, 0, rendered.stderr);
      const policy = parseAllDocuments(rendered.stdout)
        .map((d) => d.toJS())
        .find((d) => d?.kind === 'NetworkPolicy');
      // Two rules: the namespace (and ingressFrom), and the ALB's subnets. No rule without `from`.
      assert.equal(policy.spec.ingress.length, 2);
      for (const rule of policy.spec.ingress) assert.ok(rule.from?.length, 'every rule names its sources');
      const blocks = policy.spec.ingress[1].from.map((peer: { ipBlock: { cidr: string } }) => peer.ipBlock.cidr);
      assert.deepEqual(blocks, terraform, `${env.name}: the ALB's subnets`);
      assert.deepEqual(policy.spec.ingress[1].ports, [{ port: 'http', protocol: 'TCP' }]);
    }
  });
});
