/**
 * Testing Library's waits (`waitFor`, `findBy…`) give up after 1 s by default. The component and
 * hook suites wait on real requests to a real handler and database, on 2 cores shared by three
 * workers: a DELETE that took 1.2 s failed a test in CI. They wait up to 5 s; a passing test is
 * no slower, since a wait ends as soon as its check passes. Runs in every file; only jsdom's.
 */
if (typeof document !== 'undefined') {
  const { configure } = await import('@testing-library/react');
  configure({ asyncUtilTimeout: 5_000 });
}

export {};
