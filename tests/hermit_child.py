"""Run HermiT (owlready2) over an exported file and print what it found, as JSON.

Run by ``tests/test_reasoner.py`` in a child process it can bound in time and kill with its
Java child. Usage: ``python hermit_child.py FILE``. Prints ``{"error": ...}`` when HermiT
refuses the file, else whether it is consistent, the unsatisfiable classes, the types the
reasoner added to individuals, and the instances of a few probe classes defined from the
ontology's terms (so that an inferred membership is read from the reasoner, not from
owlready2's own class hierarchy).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import owlready2

D = "https://w3id.org/defense-kg/ontology#"
PROV = "http://www.w3.org/ns/prov#"
FOAF = "http://xmlns.com/foaf/0.1/"


def _types(world: owlready2.World, iris: list[str]) -> dict[str, set[str]]:
    out = {}
    for iri in iris:
        entity = world[iri]
        if entity is not None and not isinstance(entity, owlready2.ThingClass):
            out[iri] = {c.iri for c in entity.is_a if hasattr(c, "iri")}
    return out


def main(path: Path) -> dict[str, object]:
    world = owlready2.World()
    world.get_ontology(path.resolve().as_uri()).load()
    probes_onto = world.get_ontology("urn:x-kg:probes#")
    with probes_onto:
        agent = world[PROV + "Agent"]
        person = world[FOAF + "Person"]
        event = world[D + "Event"]
        year, month, day = (world[D + n] for n in ("dateYear", "dateMonth", "dateDay"))
        probes = {
            "agent": type("AgentProbe", (owlready2.Thing,), {}),
            "person": type("PersonProbe", (owlready2.Thing,), {}),
            "dated-2018": type("Dated2018Probe", (owlready2.Thing,), {}),
            "on-01-30": type("OnJanuary30Probe", (owlready2.Thing,), {}),
        }
        probes["agent"].equivalent_to.append(agent)
        probes["person"].equivalent_to.append(person)
        probes["dated-2018"].equivalent_to.append(event & year.value(2018))
        probes["on-01-30"].equivalent_to.append(event & month.value(1) & day.value(30))
    subjects = sorted({str(s) for s in world.as_rdflib_graph().subjects() if "/id/" in str(s)})
    subjects += sorted(
        {str(o) for o in world.as_rdflib_graph().objects() if "wikidata.org/entity/" in str(o)}
    )
    before = _types(world, subjects)
    told = {name: sorted(i.iri for i in cls.instances()) for name, cls in probes.items()}
    try:
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError:
        return {"consistent": False}
    except owlready2.OwlReadyJavaError as exc:
        return {"error": str(exc)}
    after = _types(world, subjects)
    added = {
        iri: sorted(types - before.get(iri, set()))
        for iri, types in after.items()
        if types - before.get(iri, set())
        and not all(c.startswith("urn:x-kg:probes#") for c in types - before.get(iri, set()))
    }
    return {
        "consistent": True,
        "unsatisfiable": sorted(c.iri for c in world.inconsistent_classes()),
        "added": {iri: [c for c in v if not c.startswith("urn:x-kg:")] for iri, v in added.items()},
        "probes": {name: sorted(i.iri for i in cls.instances()) for name, cls in probes.items()},
        "probes_before": told,
    }


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1])), sort_keys=True))
