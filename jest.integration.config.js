// Integration tests: the provider against a real kube-apiserver running KubeVirt's own controllers. Run through
// `npm run test:integration` (needs --experimental-vm-modules for the ESM-only @kubernetes/client-node).
/** @type {import('jest').Config} */
module.exports = {
  displayName: "integration",
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  testMatch: ["<rootDir>/tests/integration/**/*.test.ts"],
  globalSetup: "<rootDir>/tests/ground/global-setup.ts",
  testTimeout: 180000,
  // Two files at a time, each with its own ground: the suites mostly wait on KubeVirt (5 s requeues, the
  // 5-minute restore grace), so two grounds share the 2 cores; measured 47/47 under a load of 10.
  maxWorkers: 2,
};
