// Integration tests: the provider against a real kube-apiserver with the KubeVirt simulator. Run through
// `npm run test:integration` (needs --experimental-vm-modules for the ESM-only @kubernetes/client-node).
/** @type {import('jest').Config} */
module.exports = {
  displayName: "integration",
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  testMatch: ["<rootDir>/tests/integration/**/*.test.ts"],
  globalSetup: "<rootDir>/tests/ground/global-setup.ts",
  testTimeout: 180000,
  maxWorkers: 1,
};
