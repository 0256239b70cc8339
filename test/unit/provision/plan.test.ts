/**
 * Given a host's facts and the engine asked for, planProvision plans these
 * steps, or refuses with this error: one case per JSON file in
 * test/fixtures/provision-plans/ (its README.md says how one reads).
 */
import {expect} from 'chai'
import {readdirSync, readFileSync} from 'node:fs'

import {UserError} from '../../../src/errors/index.js'
import {DEFAULT_DESIRED, type DesiredEngine} from '../../../src/provision/desired-engine.js'
import {planProvision, type StepId} from '../../../src/provision/plan.js'
import {HOST_FACTS_OUTPUTS, variedHostFacts, type VariedHostFacts} from '../../fixtures/host-facts/index.js'

interface PlanFixture {
  description: string
  facts: VariedHostFacts
  /** Over tk's defaults (DEFAULT_DESIRED). */
  desired?: Partial<DesiredEngine>
  expected: {steps: Array<{id: StepId; action: string; [field: string]: unknown}>; notices: string[]} | {error: {kind: string; exitCode: number; message: string}}
}

const TARGET = 'web-1'
const FIXTURES = new URL('../../fixtures/provision-plans/', import.meta.url)

const fixtures = readdirSync(FIXTURES)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((name) => ({name, fixture: JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as PlanFixture}))

describe('provision plan (test/fixtures/provision-plans)', () => {
  it('has fixtures made from every captured facts output', () => {
    expect(fixtures.length).to.be.greaterThan(0)
    expect(new Set(fixtures.map(({fixture}) => fixture.facts.from))).to.have.keys([...HOST_FACTS_OUTPUTS])
  })

  it('has a case of every step in each of its forms', () => {
    const forms = new Set(fixtures.flatMap(({fixture}) => ('steps' in fixture.expected ? fixture.expected.steps.map((step) => `${step.id} ${step.action}`) : [])))
    const everyForm: Record<StepId, string[]> = {
      check: ['ok'],
      'kernel-modules': ['ok', 'change'],
      install: ['ok', 'change'],
      compose: ['ok', 'change'],
      service: ['ok', 'change'],
      'daemon-config': ['ok', 'change'],
      'docker-users': ['ok', 'change'],
      verify: ['ok', 'verify'],
      'smoke-test': ['verify'],
    }
    expect([...forms].sort()).to.deep.equal(Object.entries(everyForm).flatMap(([id, actions]) => actions.map((action) => `${id} ${action}`)).sort())
  })

  for (const {name, fixture} of fixtures) {
    it(`${name}: ${fixture.description}`, () => {
      const facts = variedHostFacts(fixture.facts)
      const desired: DesiredEngine = {...DEFAULT_DESIRED, ...fixture.desired}
      const {expected} = fixture
      if ('error' in expected) {
        let thrown: unknown
        try {
          planProvision(TARGET, facts, desired)
        } catch (error) {
          thrown = error
        }
        expect(thrown, 'planProvision refuses').to.be.instanceOf(UserError)
        const error = thrown as UserError
        expect({kind: error.kind, exitCode: error.exitCode}).to.deep.equal({kind: expected.error.kind, exitCode: expected.error.exitCode})
        expect(error.message).to.match(new RegExp(expected.error.message))
        return
      }
      const plan = planProvision(TARGET, facts, desired)
      // Titles are how steps are shown, the same for every plan: a case says what the step does.
      expect(plan.steps.map(({title: _title, ...step}) => step)).to.deep.equal(expected.steps)
      expect(plan.notices).to.deep.equal(expected.notices)
    })
  }
})
