/**
 * Files of the infrastructure repo (`<org>-infra`). The Terraform content lands with the
 * infrastructure issue; until then the repo carries only its state (.yo-rc.json and manifest).
 */
import type { FileRow } from '../render.ts';

export const infraFiles: readonly FileRow[] = [];
