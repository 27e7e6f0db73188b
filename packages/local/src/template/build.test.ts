import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { readTemplate } from './index.js';

const REQUIRE_BANNER =
  "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

let folder: string;

beforeAll(() => {
  folder = mkdtempSync(path.join(tmpdir(), 'tracebridge-template-build-'));
  writeFileSync(path.join(folder, 'app.ts'), 'export const handler = async () => 1;\n');
  writeFileSync(
    path.join(folder, 'template.yaml'),
    `Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs22.x
      Handler: app.handler
      CodeUri: .
    Metadata:
      BuildMethod: esbuild
      BuildProperties:
        Format: esm
        SourcesContent: false
        Banner:
          - "js=${REQUIRE_BANNER}"
          - css=/* a = b */
          - html=<!-- no -->
          - no-equals-sign
        Loader:
          - .png=file
          - .txt=text
          - =text
`,
  );
});

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

it("reads SAM's Banner, Loader and SourcesContent as esbuild's --banner, --loader and --sources-content", async () => {
  const architecture = await readTemplate(path.join(folder, 'template.yaml'));

  expect(architecture.functions[0]?.build).toMatchObject({
    banner: { js: REQUIRE_BANNER, css: '/* a = b */' },
    loader: { '.png': 'file', '.txt': 'text' },
    sourcesContent: false,
  });
  expect(architecture.warnings).toEqual([
    'Fn.Metadata.BuildProperties.Banner[2]: is not of the form js=… or css=…; it is ignored',
    'Fn.Metadata.BuildProperties.Banner[3]: is not of the form js=… or css=…; it is ignored',
    'Fn.Metadata.BuildProperties.Loader[2]: is not of the form key=value; it is ignored',
  ]);
});
