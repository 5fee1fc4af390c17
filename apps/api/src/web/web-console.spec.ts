import { loadConfig } from '@steward/config';
import { DevTokenController } from './dev-token.controller';
import { devTokenRoutesEnabled } from './dev-token.service';
import { isConsolePage, WEB_CONSOLE_SEGMENTS } from './web-console';
import { WebModule } from './web.module';
import { openApiDocument } from './write-openapi';

describe('web console serving', () => {
  it('no API route starts with a segment the console answers for', async () => {
    const doc = await openApiDocument();
    const firstSegments = new Set(Object.keys(doc.paths).map((p) => p.split('/')[1]));
    expect(firstSegments).toContain('change-requests');
    expect(firstSegments).toContain('complaints');
    for (const segment of WEB_CONSOLE_SEGMENTS) expect(firstSegments).not.toContain(segment);
  }, 60_000);

  it('serves index.html only to browser navigations to console pages', () => {
    const html = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
    expect(isConsolePage('GET', '/', html)).toBe(true);
    expect(isConsolePage('GET', '/inbox', html)).toBe(true);
    expect(isConsolePage('GET', '/view/change-requests/5d2f7c1e-9d7a-4a55-9b8e-0c0a7f0b3d11', html)).toBe(true);
    expect(isConsolePage('HEAD', '/auditor', html)).toBe(true);
    expect(isConsolePage('GET', '/tasks', html)).toBe(false);
    expect(isConsolePage('GET', '/change-requests/5d2f7c1e-9d7a-4a55-9b8e-0c0a7f0b3d11', html)).toBe(false);
    expect(isConsolePage('GET', '/docs', html)).toBe(false);
    expect(isConsolePage('GET', '/inbox', 'application/json')).toBe(false);
    expect(isConsolePage('GET', '/inbox', undefined)).toBe(false);
    expect(isConsolePage('POST', '/inbox', html)).toBe(false);
  });
});

describe('development sign-in routes', () => {
  it('exist only outside production and only with the development JWT secret', () => {
    expect(devTokenRoutesEnabled(loadConfig({ NODE_ENV: 'development' }))).toBe(true);
    expect(devTokenRoutesEnabled(loadConfig({ NODE_ENV: 'test' }))).toBe(true);
    expect(devTokenRoutesEnabled(loadConfig({ NODE_ENV: 'development', JWT_SECRET: 'a-real-secret-of-32-characters!!' }))).toBe(false);
    expect(devTokenRoutesEnabled(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'a-real-secret-of-32-characters!!' }))).toBe(false);
  });

  it('are not registered when disabled', () => {
    expect(WebModule.forRoot(loadConfig({ NODE_ENV: 'development' })).controllers).toEqual([DevTokenController]);
    expect(WebModule.forRoot(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'a-real-secret-of-32-characters!!' })).controllers).toEqual([]);
  });
});
