// Creates examples/demo/secrets.json (git-ignored, like a real secrets file) from the committed
// secrets.example.json when it does not exist yet. Used by the demo, the tests and the README.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const demo = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'demo');
const target = path.join(demo, 'secrets.json');
if (!fs.existsSync(target)) {
  fs.copyFileSync(path.join(demo, 'secrets.example.json'), target);
  console.log(`created ${path.relative(process.cwd(), target)} from secrets.example.json`);
}
