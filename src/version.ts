/** Kept in step with package.json by a test (test/cli/check-report.test.ts, 'the installed bin'). */
export const version = '0.1.0';
