/**
 * Developer tool: render the repos for an answers file (or the demo defaults) straight from the
 * pure renderer into a folder, without git or the generator. Handy while editing templates:
 *   npx tsx scripts/render-preview.ts OUT_DIR [answers.yaml]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { completeAnswers, loadAnswersFile } from '../generators/lib/answers.ts';
import { buildModel, splitAnswers } from '../generators/lib/model.ts';
import { renderWorkspace } from '../generators/lib/render.ts';

const [out, answersFile] = process.argv.slice(2);
if (!out) throw new Error('usage: render-preview.ts OUT_DIR [answers.yaml]');
const answers = completeAnswers(answersFile ? loadAnswersFile(answersFile) : {}, true);
const { platform, service } = splitAnswers(answers);
const model = buildModel(platform, [service], { name: 'generator-gitops-platform', version: '0.0.0-preview' });
for (const repo of renderWorkspace(model)) {
  for (const file of repo.files) {
    const path = join(out, repo.repo.name, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.content, { mode: file.path.endsWith('.sh') ? 0o755 : 0o644 });
  }
  console.log(`${repo.repo.name}: ${repo.files.length} files`);
}
