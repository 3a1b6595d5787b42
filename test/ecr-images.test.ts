/**
 * @tools: an image that an environment runs never expires from ECR.
 *
 * The lifecycle policy is the infra repo's own expression (terraform/ecr), evaluated by `tofu console`
 * with the inputs global/ gives it, then applied to a long history of builds and promotions by ECR's
 * documented rules (AmazonECR/latest/userguide/LifecyclePolicies.html: rules by priority; an image
 * that matches the tag requirements of a rule is never expired by a rule of lower priority; counts go
 * by push time). The tags are the ones scripts/tag-image.sh puts on, run against a stand-in for the
 * AWS CLI that answers as ECR does.
 */
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { renderRepo } from '../generators/lib/render/render.ts';
import { writeFiles } from '../generators/lib/repos/files.ts';
import { tempDir } from './support/temp.ts';
import { requireTool, run } from './support/tools.ts';
import { modelFor } from './support/workspace.ts';

interface Rule {
  rulePriority: number;
  selection: {
    tagStatus: 'any' | 'tagged' | 'untagged';
    tagPatternList?: string[];
    countType: string;
    countNumber: number;
  };
  action: { type: string };
}

interface Image {
  digest: string;
  pushedAt: number;
  tags: string[];
}

const wildcard = (pattern: string) =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );

/** Whether an image meets a rule's tag requirements (every pattern of the list matches one of its tags). */
function matches(rule: Rule, image: Image): boolean {
  const { tagStatus, tagPatternList = [] } = rule.selection;
  if (tagStatus === 'any') return true;
  if (tagStatus === 'untagged') return image.tags.length === 0;
  return tagPatternList.every((p) => image.tags.some((t) => wildcard(p).test(t)));
}

/** The digests ECR expires under these rules, as its documentation describes the evaluation. */
function expired(rules: Rule[], images: Image[]): Set<string> {
  const sorted = [...rules].sort((a, b) => a.rulePriority - b.rulePriority);
  const out = new Set<string>();
  sorted.forEach((rule, i) => {
    assert.equal(rule.selection.countType, 'imageCountMoreThan', 'the evaluator knows imageCountMoreThan only');
    assert.equal(rule.action.type, 'expire');
    const higher = sorted.slice(0, i);
    const selected = images.filter((img) => matches(rule, img)).sort((a, b) => b.pushedAt - a.pushedAt);
    for (const img of selected.slice(rule.selection.countNumber)) {
      if (!higher.some((h) => matches(h, img))) out.add(img.digest);
    }
  });
  return out;
}

const hex = (n: number) => n.toString(16).padStart(64, '0');

describe('@tools ECR keeps every image an environment runs', () => {
  const model = modelFor('full');
  const service = model.services[0];
  let infra = '';
  let gitops = '';
  before(() => {
    const dir = tempDir('ecr-images');
    infra = join(dir, 'infra');
    gitops = join(dir, 'gitops');
    writeFiles(infra, renderRepo(model, 'infra').files);
    writeFiles(gitops, renderRepo(model, 'gitops').files);
  });

  /** terraform/ecr's lifecycle policy, evaluated by tofu with the inputs global/ passes. */
  function lifecyclePolicy(ctx: Mocha.Context): Rule[] {
    const tofu = requireTool(ctx, 'tofu');
    const module = readFileSync(join(infra, 'terraform', 'ecr', 'main.tf'), 'utf8');
    const locals = /^locals \{\n[\s\S]*?\n\}\n/m.exec(module)?.[0];
    assert.ok(locals?.includes('lifecycle_policy'), 'terraform/ecr computes local.lifecycle_policy');
    const global = readFileSync(join(infra, 'global', 'main.tf'), 'utf8');
    const prefixes = /^\s*deployed_tag_prefixes\s*=\s*(\[.*\])$/m.exec(global)?.[1];
    assert.ok(prefixes, 'global/ passes deployed_tag_prefixes');
    const tfvars = readFileSync(join(infra, 'global', 'terraform.tfvars'), 'utf8');
    const keepImages = /^ecr_keep_images\s*=\s*(\d+)$/m.exec(tfvars)?.[1];
    const variables = readFileSync(join(infra, 'global', 'variables.tf'), 'utf8');
    const keepDeployed = /variable "ecr_keep_deployed_images" \{[\s\S]*?default\s*=\s*(\d+)/.exec(variables)?.[1];
    assert.ok(keepImages && keepDeployed, 'ecr_keep_images (tfvars) and ecr_keep_deployed_images (default)');
    const work = tempDir('ecr-policy');
    copyFileSync(join(infra, 'terraform', 'ecr', 'variables.tf'), join(work, 'variables.tf'));
    writeFileSync(join(work, 'locals.tf'), locals as string);
    writeFileSync(
      join(work, 'terraform.tfvars'),
      `name = "x"\nkeep_images = ${keepImages}\nkeep_deployed_images = ${keepDeployed}\ndeployed_tag_prefixes = ${prefixes}\n`,
    );
    const out = run(tofu, ['console'], { cwd: work, input: 'local.lifecycle_policy\n' });
    assert.equal(out.status, 0, out.stderr);
    return JSON.parse(JSON.parse(out.stdout.trim())).rules;
  }

  it('a rule per promoted-into environment, production first, then every other image last', function () {
    const rules = lifecyclePolicy(this);
    const promoted = model.environments.filter((e) => !e.isFirst).reverse();
    assert.deepEqual(
      rules.map((r) => r.selection.tagPatternList ?? r.selection.tagStatus),
      [...promoted.map((e) => [`${e.deployedImageTagPrefix}*`]), 'any'],
    );
    assert.deepEqual(
      rules.map((r) => r.rulePriority),
      rules.map((_, i) => i + 1),
    );
  });

  it('after 1500 builds, production still runs what it got at build 15, and every environment its revert target', function () {
    const rules = lifecyclePolicy(this);
    const [first, ...promotedInto] = model.environments;
    const images: Image[] = [];
    /** What each environment ran, in order: its values file's digest after each deploy. */
    const history = new Map(model.environments.map((e) => [e.name, [] as string[]]));
    const promote = (digest: string, env: (typeof promotedInto)[number]) => {
      const image = images.find((i) => i.digest === digest) as Image;
      // scripts/tag-image.sh's tag (its own test below checks that it puts exactly this one).
      const tag = `${env.deployedImageTagPrefix}${digest.slice('sha256:'.length)}`;
      if (!image.tags.includes(tag)) image.tags.push(tag);
      history.get(env.name)?.push(digest);
    };
    for (let build = 1; build <= 1500; build++) {
      const digest = `sha256:${hex(build)}`;
      // The app CI: the commit SHA as tag, then the deploy to the first environment.
      images.push({ digest, pushedAt: build, tags: [hex(build * 7919).slice(0, 40)] });
      history.get(first.name)?.push(digest);
      // Promotions: each environment takes what the one before runs; production only twice, early.
      promotedInto.forEach((env, i) => {
        const every = env.isProduction ? 0 : 5 * (i + 1);
        const due = env.isProduction ? build === 10 || build === 15 : build % every === 0;
        if (!due) return;
        const before = history.get(model.environments[env.index - 1].name) as string[];
        promote(before[before.length - 1], env);
      });
    }
    const gone = expired(rules, images);
    for (const env of model.environments) {
      const ran = history.get(env.name) as string[];
      const now = ran[ran.length - 1];
      const revertTarget = ran[ran.length - 2];
      assert.ok(!gone.has(now), `${env.name} runs ${now}, which expired`);
      assert.ok(!gone.has(revertTarget), `${env.name}: the image a git revert brings back (${revertTarget}) expired`);
    }
    // Bounded: builds no one promoted go, beyond the newest keep_images.
    const kept = images.length - gone.size;
    const bound = rules.reduce((sum, r) => sum + r.selection.countNumber, 0);
    assert.ok(kept <= bound, `${kept} images kept, more than the rules allow (${bound})`);
    assert.ok(gone.size > 0, 'old builds expire');
  });

  describe('scripts/tag-image.sh, against a stand-in for the AWS CLI', () => {
    // A manifest as ECR returns it: its bytes (no trailing newline, spacing kept) make the digest.
    const manifest =
      '{\n   "schemaVersion": 2,\n   "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [] }';
    const digest = `sha256:${'9f'.repeat(32)}`;
    const target = model.environments[1];
    let bin = '';
    let log = '';

    before(function () {
      requireTool(this, 'jq');
      const dir = tempDir('aws-stand-in');
      bin = join(dir, 'bin');
      log = join(dir, 'calls.log');
      mkdirSync(bin);
      // batch-get-image answers from $IMAGE_JSON; put-image keeps the manifest file it is given
      // and fails as ECR does when $PUT_FAILS names an exception.
      writeFileSync(
        join(bin, 'aws'),
        `#!/usr/bin/env bash
printf '%s\\n' "$*" >> "$AWS_LOG"
case "$2" in
  batch-get-image) cat "$IMAGE_JSON" ;;
  put-image)
    for a in "$@"; do [[ $a == file://* ]] && cp "\${a#file://}" "$AWS_LOG.manifest"; done
    if [[ -n \${PUT_FAILS:-} ]]; then
      echo "An error occurred ($PUT_FAILS) when calling the PutImage operation: refused" >&2
      exit 254
    fi
    echo '{}' ;;
  *) echo "unexpected: $*" >&2; exit 1 ;;
esac
`,
      );
      chmodSync(join(bin, 'aws'), 0o755);
    });

    const tagImage = (args: string[], image: object, putFails = '') => {
      writeFileSync(log, '');
      const imageJson = join(dirname(log), 'image.json');
      writeFileSync(imageJson, JSON.stringify(image));
      return run(join(gitops, 'scripts', 'tag-image.sh'), args, {
        cwd: gitops,
        env: {
          PATH: `${bin}${delimiter}${process.env.PATH}`,
          AWS_LOG: log,
          IMAGE_JSON: imageJson,
          PUT_FAILS: putFails,
        },
      });
    };
    const found = {
      images: [
        {
          imageId: { imageDigest: digest },
          imageManifest: manifest,
          imageManifestMediaType: 'application/vnd.oci.image.index.v1+json',
        },
      ],
      failures: [],
    };

    it('tags <environment prefix><digest hex> on that very manifest, in the service repository', () => {
      const out = tagImage([service.name, target.name, digest], found);
      assert.equal(out.status, 0, out.stderr);
      const calls = readFileSync(log, 'utf8').trim().split('\n');
      assert.equal(calls.length, 2, calls.join('\n'));
      assert.match(
        calls[0],
        new RegExp(
          `^ecr batch-get-image --region ${model.awsRegion} --repository-name ${service.image.repositoryName} --image-ids imageDigest=${digest} `,
        ),
      );
      const tag = `${target.deployedImageTagPrefix}${digest.slice(7)}`;
      assert.match(
        calls[1],
        new RegExp(
          `^ecr put-image --region ${model.awsRegion} --repository-name ${service.image.repositoryName} --image-tag ${tag} --image-digest ${digest} --image-manifest file://\\S+ --image-manifest-media-type application/vnd.oci.image.index.v1\\+json`,
        ),
      );
      assert.equal(readFileSync(`${log}.manifest`, 'utf8'), manifest, 'the manifest byte for byte');
    });

    it('an image tagged already is fine; a refusal or a missing image fails the promotion', () => {
      const again = tagImage([service.name, target.name, digest], found, 'ImageAlreadyExistsException');
      assert.equal(again.status, 0, again.stderr);
      assert.match(again.stdout, /tagged .* already/);
      const refused = tagImage([service.name, target.name, digest], found, 'AccessDeniedException');
      assert.equal(refused.status, 1);
      assert.match(refused.stderr, /ECR refused the tag .*AccessDeniedException/);
      const missing = tagImage([service.name, target.name, digest], {
        images: [],
        failures: [{ imageId: { imageDigest: digest }, failureCode: 'ImageNotFound' }],
      });
      assert.equal(missing.status, 1);
      assert.match(missing.stderr, /ECR has no image .*ImageNotFound/);
      assert.equal(readFileSync(log, 'utf8').trim().split('\n').length, 1, 'no put-image for a missing image');
    });

    it('refuses bad arguments before calling AWS: the first environment, a name with $(...), a bad digest', () => {
      for (const args of [
        [service.name, model.firstEnvironment.name, digest],
        [service.name, '$(touch pwned)', digest],
        [service.name, target.name, 'sha256:abc'],
        ['Bad_Name', target.name, digest],
        [service.name, target.name],
      ]) {
        const out = tagImage(args, found);
        assert.equal(out.status, 2, `${args.join(' ')}: ${out.stderr}`);
        assert.equal(readFileSync(log, 'utf8'), '', `${args.join(' ')}: AWS was called`);
      }
    });
  });
});
