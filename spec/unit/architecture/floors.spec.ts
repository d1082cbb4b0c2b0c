import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

interface FloorsModule {
  checkFloors(root: string): string[];
}

/** The check that `npm run lint` runs (scripts/check-floors.mjs, plain JavaScript: loaded from the checkout). */
const floors = (): Promise<FloorsModule> => import(pathToFileURL(resolve('scripts/check-floors.mjs')).href) as Promise<FloorsModule>;

describe('the floors of the house (scripts/check-floors.mjs)', () => {
  let root: string;
  const write = (path: string, text: string): void => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'floors-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('holds in this checkout', async () => {
    assert.deepEqual((await floors()).checkFloors(resolve('.')), []);
  });

  it('names a ground file that imports a family, a family that imports another or a tool, and a long file', async () => {
    write('src/errors.ts', 'export const e = 1;\n');
    write('src/jobs/a.ts', "import { e } from '../errors.js';\nimport type { B } from '../queues/b.js';\n");
    write('src/queues/b.ts', "export { c } from '../tasks/c.js';\nexport type B = 1;\n");
    write('src/tasks/c.ts', "export const c = () => import('../dashboard/d.js');\n// import '../queues/b.js' in a comment is no import\n");
    write('src/tasks/e.ts', "import { x } from './own.js';\nimport { e } from '../errors.js';\n");
    write('src/dashboard/d.ts', "import { c } from '../tasks/c.js';\nimport { a } from '../jobs/a.js';\n");
    write('src/topics/long.lua', '--\n'.repeat(701));
    write('src/topics/ok.lua', '--\n'.repeat(700));
    assert.deepEqual((await floors()).checkFloors(root), [
      'src/jobs/a.ts: the ground imports a family (../queues/b.js)',
      'src/queues/b.ts: a family imports another family (../tasks/c.js)',
      'src/tasks/c.ts: the family imports a tool (../dashboard/d.js)',
      'src/topics/long.lua: 701 lines, more than 700',
    ]);
  });
});
