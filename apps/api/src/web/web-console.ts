import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/**
 * First path segments of the web console's own pages. A browser navigation (GET, Accept: text/html) to one of
 * them, or to `/`, gets index.html; every other path goes to the API untouched, so the console never shadows an
 * API route. `web-console.spec.ts` checks that no API route starts with one of these.
 */
export const WEB_CONSOLE_SEGMENTS = ['inbox', 'new', 'view', 'auditor', 'sign-in'] as const;

/** The built console (`npm run build` writes it to dist/web), found from the repository root. */
export function webConsoleDir(from = __dirname): string | null {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'nest-cli.json'))) {
      const web = join(dir, 'dist', 'web');
      return existsSync(join(web, 'index.html')) ? web : null;
    }
  }
  return null;
}

export function isConsolePage(method: string, path: string, accept: string | undefined): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  if (!(accept ?? '').includes('text/html')) return false;
  const first = path.split('/')[1] ?? '';
  return first === '' || (WEB_CONSOLE_SEGMENTS as readonly string[]).includes(first);
}

/** Serves the console's files (`/assets/...`) and its pages; returns whether a build was found. */
export function serveWebConsole(app: INestApplication, dir = webConsoleDir()): boolean {
  if (!dir) return false;
  const index = join(dir, 'index.html');
  const assets = join(dir, 'assets');
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (isConsolePage(req.method, req.path, req.headers.accept)) {
      res.setHeader('Cache-Control', 'no-cache');
      return res.sendFile(index);
    }
    if ((req.method === 'GET' || req.method === 'HEAD') && req.path.startsWith('/assets/')) {
      const file = join(assets, req.path.slice('/assets/'.length));
      // Vite names assets by content hash; anything outside the folder or missing falls through to a 404.
      if (file.startsWith(assets + '/') && existsSync(file)) {
        res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
        return res.sendFile(file);
      }
    }
    next();
  });
  return true;
}
