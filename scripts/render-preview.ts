/**
 * Developer tool: render the repos for an answers file (or the demo defaults) straight from the
 * pure renderer into a folder, without git or the generator. Handy while editing templates:
 *   npx tsx scripts/render-preview.ts OUT_DIR [answers.yaml]
 */
import { join } from 'node:path';
import { loadAnswersFile } from '../generators/lib/answers/file.ts';
import { completeAnswers } from '../generators/lib/answers/validate.ts';
import { buildModel } from '../generators/lib/model.ts';
import { renderWorkspace } from '../generators/lib/render/render.ts';
import { writeFiles } from '../generators/lib/repos/files.ts';

const [out, answersFile] = process.argv.slice(2);
if (!out) throw new Error('usage: render-preview.ts OUT_DIR [answers.yaml]');
const { platform, service } = completeAnswers(answersFile ? loadAnswersFile(answersFile) : {}, true);
const model = buildModel(platform, [service], { name: 'generator-gitops-platform', version: '0.0.0-preview' });
for (const repo of renderWorkspace(model)) {
  writeFiles(join(out, repo.repo.name), repo.files);
  console.log(`${repo.repo.name}: ${repo.files.length} files`);
}
