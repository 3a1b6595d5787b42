/**
 * Files of a service's application repo (`<service>`). The service itself lands with the
 * application-repo issue; until then the repo carries only its state (.yo-rc.json and manifest).
 */
import type { FileRow } from '../render.ts';

export const appFiles: readonly FileRow[] = [];
