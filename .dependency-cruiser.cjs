/**
 * tk's layering, checked by `npm test` (npm run lint:layers). Imports run one
 * way, from the commands toward the transport; docs/architecture.md explains
 * each layer. Lazy import()s count like static ones: the rule is about
 * direction, not about when a module loads.
 *
 * A layer may import the layers after it in LAYERS and its own folder, never
 * one before it, never a sibling of the same rank.
 */
const LAYERS = [
  ['commands'],
  ['cli'],
  ['render'],
  ['up', 'status', 'destroy', 'upgrade', 'exec', 'reboot', 'bootstrap'],
  ['swarm'],
  ['proxy'],
  ['provision'],
  ['bundle'],
  ['check'],
  ['fleet'],
  ['providers', 'fetch'],
  ['engine'],
  ['facts'],
  ['targets'],
  ['config'],
  ['transport'],
  ['errors'],
]

const folder = (name) => `^src/${name}/`
const layerRules = LAYERS.flatMap((layer, rank) => {
  const above = LAYERS.slice(0, rank).flat()
  const rules = layer.map((name) => ({
    name: `${name}-imports-no-higher-layer`,
    comment: `src/${name}/ may import only layers below it (${LAYERS.slice(rank + 1).flat().join(', ')}): see docs/architecture.md`,
    severity: 'error',
    from: {path: folder(name)},
    to: {path: `^src/(${above.join('|')})/`},
  }))
  if (layer.length > 1) {
    for (const name of layer) {
      rules.push({
        name: `${name}-imports-no-sibling`,
        comment: `src/${name}/ and ${layer.filter((other) => other !== name).join(', ')} are services of the same rank: what they share belongs in a lower layer`,
        severity: 'error',
        from: {path: folder(name)},
        to: {path: `^src/(${layer.filter((other) => other !== name).join('|')})/`},
      })
    }
  }
  return rules
})

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycles, static or lazy.',
      severity: 'error',
      from: {path: '^src/'},
      to: {circular: true},
    },
    {
      name: 'oclif-only-in-commands-and-cli',
      comment: 'Only src/commands/ and src/cli/ know oclif; the core is usable without it.',
      severity: 'error',
      from: {path: '^src/', pathNot: '^src/(commands|cli)/'},
      to: {path: '@oclif/'},
    },
    {
      name: 'every-folder-has-a-layer',
      comment: 'A new folder under src/ needs its place in LAYERS (.dependency-cruiser.cjs) and in docs/architecture.md.',
      severity: 'error',
      from: {path: `^src/(?!(${LAYERS.flat().join('|')})/)[^/]+/`},
      to: {},
    },
    ...layerRules,
  ],
  options: {
    doNotFollow: {path: 'node_modules'},
    // Type-only imports are imports too: a type from a higher layer is a dependency on it.
    tsPreCompilationDeps: true,
    tsConfig: {fileName: 'tsconfig.json'},
    enhancedResolveOptions: {exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js']},
    moduleSystems: ['es6'],
    reporterOptions: {text: {highlightFocused: true}},
  },
}
