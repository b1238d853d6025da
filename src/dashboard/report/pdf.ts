import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { UserError } from '../../errors/index.js';

/** The Chromium that prints reports and runs the browser tests: Debian's, or $SHOPLAKE_CHROMIUM. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.SHOPLAKE_CHROMIUM ?? '/usr/bin/chromium';
}

/** Flags for a headless Chromium that reaches nothing but what it is given. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
];

/** Prints a report's HTML file to PDF through headless Chromium (playwright-core; no browser download). */
export async function printPdf(htmlPath: string, pdfPath: string): Promise<void> {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath)) {
    throw new UserError(
      `--pdf needs Chromium at ${executablePath}: install the Debian package chromium or set SHOPLAKE_CHROMIUM`,
      { code: 'no_browser' },
    );
  }
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
    await page.goto(pathToFileURL(htmlPath).href);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    await page.pdf({
      path: pdfPath,
      format: 'A4',
      printBackground: true,
      margin: { top: '12mm', bottom: '12mm', left: '10mm', right: '10mm' },
    });
  } finally {
    await browser.close();
  }
}
