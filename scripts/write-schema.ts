// Writes schemas/connections.schema.json from src/core/schema.ts (`npm run schema`). The unit test
// test/unit/core/jsonSchema.test.ts fails when the shipped file differs, so edit schema.ts, then run this.
import fs from 'node:fs';
import path from 'node:path';
import { connectionsJsonSchemaText } from '../src/core/jsonSchema';

const file = path.join(__dirname, '..', 'schemas', 'connections.schema.json');
fs.mkdirSync(path.dirname(file), { recursive: true });
fs.writeFileSync(file, connectionsJsonSchemaText());
console.log(`wrote ${path.relative(process.cwd(), file)}`);
