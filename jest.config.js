// Jest runs TypeScript through ts-jest. Projects let `npm test` pick the suites that need no cluster.
/** @type {import('jest').Config} */
const tsJest = { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] };
module.exports = {
  projects: [
    {
      displayName: "unit",
      testEnvironment: "node",
      transform: tsJest,
      testMatch: ["<rootDir>/tests/unit/**/*.test.ts"],
    },
  ],
};
