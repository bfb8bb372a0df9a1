"""repapp: official online representatives on forums, driven by playbooks."""
