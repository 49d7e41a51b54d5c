import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ConsoleContext } from '../index';
import { assetVersion } from '../layout';

const PUBLIC_DIR = path.join(__dirname, '../../public');

/** The console's own CSS/JS and htmx, served locally (no CDN), read once at start. */
export function registerStatic(ctx: ConsoleContext) {
  const load = (file: string) => fs.readFileSync(file);
  const files: Record<string, { body: Buffer; type: string }> = {
    'console.css': { body: load(path.join(PUBLIC_DIR, 'console.css')), type: 'text/css; charset=utf-8' },
    'console.js': { body: load(path.join(PUBLIC_DIR, 'console.js')), type: 'text/javascript; charset=utf-8' },
    'htmx.min.js': {
      body: load(require.resolve('htmx.org/dist/htmx.min.js')),
      type: 'text/javascript; charset=utf-8',
    },
    // The KPIs page's charts: Chart.js from node_modules, and the page's own script and styles.
    'chart.umd.min.js': {
      // The package exports no subpath for its browser build: found beside its main file.
      body: load(path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js')),
      type: 'text/javascript; charset=utf-8',
    },
    'kpis.js': { body: load(path.join(PUBLIC_DIR, 'kpis.js')), type: 'text/javascript; charset=utf-8' },
    'kpis.css': { body: load(path.join(PUBLIC_DIR, 'kpis.css')), type: 'text/css; charset=utf-8' },
  };
  const v = (b: Buffer) => createHash('sha256').update(b).digest('hex').slice(0, 10);
  assetVersion.css = v(files['console.css']!.body);
  assetVersion.js = v(files['console.js']!.body);
  assetVersion.htmx = v(files['htmx.min.js']!.body);
  assetVersion.chart = v(files['chart.umd.min.js']!.body);
  assetVersion.kpisJs = v(files['kpis.js']!.body);
  assetVersion.kpisCss = v(files['kpis.css']!.body);

  ctx.route('GET /console/static/:file', async (req, reply) => {
    const { file } = req.params as { file?: string };
    const f = file ? files[file] : undefined;
    if (!f || !Object.hasOwn(files, file!)) return reply.code(404).type('text/plain').send('not found');
    return reply
      .type(f.type)
      .header('X-Content-Type-Options', 'nosniff')
      .header('Cache-Control', 'public, max-age=86400')
      .send(f.body);
  });
}
