/**
 * Builds the demo page's script (`page/main.ts`, with the SDK it imports) into one ES module for
 * browsers, with esbuild. onnxruntime-web and face-api stay outside the bundle: the page imports
 * them from `./vendor/`, where the server serves the packages' own browser builds. `facevq serve`
 * from the source tree bundles on first request; `npm run build` writes `dist/demo/app.js`.
 */
import { fileURLToPath } from 'node:url';
import { importOptional } from '../sdk/_optional.js';

/** Bare imports of the page and the file under `/demo/` that serves each. */
export const VENDOR_MODULES: Record<string, string> = {
  'onnxruntime-web': './vendor/ort.wasm.min.mjs',
  '@vladmandic/face-api': './vendor/face-api.esm.js',
};

/** The page's entry point in the source tree. */
export const PAGE_ENTRY = fileURLToPath(new URL('./page/main.ts', import.meta.url));

type Esbuild = typeof import('esbuild');

/** The bundled page script, or undefined when esbuild is not installed (a built package ships `dist/demo/app.js`). */
export async function bundlePage(entry = PAGE_ENTRY): Promise<string | undefined> {
  const module = await importOptional<Esbuild & { default?: Esbuild }>('esbuild'); // hidden from tsup, which would bundle it
  const esbuild = module?.build ? module : module?.default;
  if (!esbuild?.build) return undefined;
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: false,
    legalComments: 'none',
    plugins: [{
      name: 'vendor',
      setup(build) {
        build.onResolve({ filter: /^(onnxruntime-web|@vladmandic\/face-api)$/ }, (args) => ({ path: VENDOR_MODULES[args.path]!, external: true }));
      },
    }],
  });
  return result.outputFiles[0]!.text;
}
