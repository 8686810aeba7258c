/**
 * The boundaries of the monorepo (`npm run deps:check`): apps are deployables that never import
 * each other; libs never import apps; outside a lib, it is reached only through its alias
 * (`@cb/<lib>`, which is its `src/index.ts`); no import cycles. test/ is not checked: test support
 * starts the services in-process and so imports apps.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-app-to-app',
      severity: 'error',
      comment: 'An app imports another app. Services talk over HTTP (gateway) or Kafka; share code through a lib.',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'no-lib-to-app',
      severity: 'error',
      comment: 'A lib imports an app. Libs are shared building blocks and must not depend on a deployable.',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'lib-only-through-its-index',
      severity: 'error',
      comment: "An app reaches into a lib's internals. Import the lib by its alias (@cb/<lib>) and export what you need from its index.ts.",
      from: { path: '^apps/' },
      to: { path: '^libs/', pathNot: '^libs/[^/]+/src/index\\.ts$' },
    },
    {
      name: 'lib-only-through-its-index-from-libs',
      severity: 'error',
      comment: "A lib reaches into another lib's internals. Import it by its alias (@cb/<lib>).",
      from: { path: '^libs/([^/]+)/' },
      to: { path: '^libs/', pathNot: ['^libs/$1/', '^libs/[^/]+/src/index\\.ts$'] },
    },
    {
      name: 'lib-by-alias',
      severity: 'error',
      comment: 'A relative path into a lib. Import the lib by its alias (@cb/<lib>) so that it can move and the index stays its only door.',
      from: { path: '^apps/' },
      to: { path: '^libs/', dependencyTypesNot: ['aliased-tsconfig'] },
    },
    {
      name: 'lib-by-alias-from-libs',
      severity: 'error',
      comment: 'A relative path into another lib. Import it by its alias (@cb/<lib>).',
      from: { path: '^libs/([^/]+)/' },
      to: { path: '^libs/', pathNot: '^libs/$1/', dependencyTypesNot: ['aliased-tsconfig'] },
    },
    {
      name: 'sdk-stands-alone',
      severity: 'error',
      comment: 'The SDK is published on its own: it may use its own files and npm packages only, and gets the API and event contracts from its generated files.',
      from: { path: '^libs/sdk/' },
      to: { path: '^(libs/(?!sdk/)|apps/)' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle. Break it by moving the shared part into its own module.',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|coverage|\\.data|\\.cache|test-artifacts)/' },
    moduleSystems: ['cjs', 'es6'],
    // Type-only imports count: a cycle through types still couples the modules.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
    reporterOptions: { text: { highlightFocused: true } },
  },
};
