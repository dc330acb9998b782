/**
 * The layer rules of MuseDance Studio (docs/ARCHITECTURE.md, "Layers"), checked by dependency-cruiser on every
 * `npm test` (test/unit/foundation/layers.test.ts via scripts/check-layers.mjs). Paths are relative to the
 * repository root. Each rule is tested against a planted violation in test/fixtures/layers/<rule name>/.
 * Also usable by hand: `npx depcruise electron renderer/src`.
 */
const HOSTS = '(main|host|cli|preload)';
// Service files a host may import: the composition root (it builds the registry), the configuration, the
// process-wide state the hosts hand to it, shutdown, and the small libraries of services/util (safe file
// opening, atomic writes: no domain logic). Everything else goes through the registry's channels.
const HOST_ENTRY_POINTS = '^electron/services/((composition-root|studio-services|config|media-roots|shutdown)\\.ts$|util/)';
// Not domains: shared infrastructure every domain may use directly (ONNX Runtime probing, small utilities).
const SERVICE_LIBRARIES = '^electron/services/(onnx|util)/';

module.exports = {
  forbidden: [
    {
      name: 'shared-imports-nothing-of-the-repo',
      comment: 'electron/shared is the contract: it imports nothing else of the repository.',
      severity: 'error',
      from: { path: '^electron/shared/' },
      to: { path: '^(electron|renderer|native-models|scripts|test|assets)/', pathNot: '^electron/shared/' },
    },
    {
      name: 'shared-imports-no-node-builtin',
      comment: 'The renderer imports electron/shared, so nothing there may need Node.',
      severity: 'error',
      from: { path: '^electron/shared/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'services-never-import-hosts',
      comment: 'Services are plain Node shared by every host: they never import electron/main, host, cli, preload or the renderer.',
      severity: 'error',
      from: { path: '^electron/services/' },
      to: { path: `^(electron/${HOSTS}/|renderer/)` },
    },
    {
      name: 'services-never-import-electron',
      comment: 'Services run in the browser host, the CLI and tests too, where there is no Electron.',
      severity: 'error',
      from: { path: '^electron/(services|shared|ipc)/' },
      to: { path: '^electron$|(^|/)node_modules/electron/' },
    },
    {
      name: 'renderer-imports-only-shared-and-own-code',
      comment: 'The renderer imports @shared (electron/shared), its own code and npm packages: no service, no host, no Node built-in.',
      severity: 'error',
      from: { path: '^renderer/src/' },
      to: { pathNot: '^(renderer/src/|electron/shared/)|(^|/)node_modules/' },
    },
    {
      name: 'features-never-import-other-features',
      comment: 'A renderer feature imports only itself; what two features share lives in renderer/src/shared or renderer/src/state.',
      severity: 'error',
      from: { path: '^renderer/src/features/([^/]+)/' },
      to: { path: '^renderer/src/features/', pathNot: '^renderer/src/features/$1/' },
    },
    {
      name: 'features-never-import-app',
      comment: 'app/ composes the features; a feature that imports app/ closes a loop.',
      severity: 'error',
      from: { path: '^renderer/src/features/' },
      to: { path: '^renderer/src/app/' },
    },
    {
      name: 'renderer-shared-code-never-imports-features',
      comment: 'renderer/src/{shared,state,actions,bridge} serve every feature, so they import none (nor app/).',
      severity: 'error',
      from: { path: '^renderer/src/(shared|state|actions|bridge)/' },
      to: { path: '^renderer/src/(features|app)/' },
    },
    {
      name: 'hosts-go-through-the-registry',
      comment: 'Electron main, the browser host, the CLI and the preload reach services only through the handler registry (channels).',
      severity: 'error',
      from: { path: `^electron/${HOSTS}/` },
      to: { path: '^electron/services/', pathNot: HOST_ENTRY_POINTS },
    },
    {
      name: 'hosts-never-import-each-other',
      comment: 'Each host is a thin adapter over the registry; what two hosts share lives in electron/shared or electron/ipc.',
      severity: 'error',
      from: { path: `^electron/${HOSTS}/` },
      to: { path: `^electron/${HOSTS}/`, pathNot: '^electron/$1/' },
    },
    {
      name: 'domains-import-each-other-through-index',
      comment: "A service domain (electron/services/<domain>/) reaches another only through that domain's index.ts.",
      severity: 'error',
      from: { path: '^electron/services/([^/]+)/' },
      to: { path: '^electron/services/[^/]+/', pathNot: ['^electron/services/$1/', '^electron/services/[^/]+/index\\.ts$', SERVICE_LIBRARIES] },
    },
    {
      name: 'no-import-cycles',
      comment: 'Modules that import each other (even for types) cannot be read, tested or moved one at a time.',
      severity: 'error',
      from: { path: '^(electron|renderer/src)/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a layer must not know another layer's types either.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.cjs', '.mjs', '.json'] },
  },
};
