import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './render/render.ts';
import { PACKAGE_NAME } from './repos/state.ts';

/** The version recorded in every repo this package writes. */
export const generatorVersion: string = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')).version;

export const generatorId = { name: PACKAGE_NAME, version: generatorVersion };
