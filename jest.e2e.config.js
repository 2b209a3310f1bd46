// End-to-end tests: the real Pulumi CLI running the examples against the test ground. Run through
// `npm run test:e2e` (needs --experimental-vm-modules for the ESM-only @kubernetes/client-node).
/** @type {import('jest').Config} */
module.exports = {
  displayName: "e2e",
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  testMatch: ["<rootDir>/tests/e2e/**/*.test.ts"],
  globalSetup: "<rootDir>/tests/e2e/global-setup.ts",
  testTimeout: 300000,
  maxWorkers: 1,
};
