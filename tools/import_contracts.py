"""An import-linter contract of our own: apps talk to each other only through each other's
public modules (`models`, `policies`, `selectors`, `services`, and a few shared helpers), never
through views, forms, urls or admin. New apps are covered without listing them."""

from typing import Any

from importlinter import Contract, ContractCheck, fields, output


class PublicSurfaceContract(Contract):
    type_name = "public_surface"

    container = fields.StringField()
    public = fields.ListField(subfield=fields.StringField())
    unrestricted = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph: Any, verbose: bool) -> ContractCheck:
        container = str(self.container)
        public = {str(name) for name in self.public}  # type: ignore[attr-defined]
        unrestricted = {str(name) for name in (self.unrestricted or [])}  # type: ignore[attr-defined]
        broken = []
        for importer in sorted(graph.modules):
            parts = importer.split(".")
            if parts[0] != container or len(parts) < 2 or parts[1] in unrestricted:
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                target = imported.split(".")
                if target[0] != container or len(target) < 3 or target[1] == parts[1]:
                    continue  # outside the project, a top-level module, or the same app
                if target[1] in unrestricted:
                    continue
                surface = ".".join(target[2:])
                if surface in public or target[2] == "tests" and "tests" in parts:
                    continue
                for detail in graph.get_import_details(importer=importer, imported=imported):
                    broken.append(f"{importer}:{detail['line_number']} -> {imported}")
        return ContractCheck(kept=not broken, metadata={"broken": broken})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for line in check.metadata["broken"]:
            output.print_error(line)
        output.new_line()
