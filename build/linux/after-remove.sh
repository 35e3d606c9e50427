#!/bin/bash
# After removing the .deb: the command and the AppArmor profile go too.
if type update-alternatives >/dev/null 2>&1; then
    update-alternatives --remove '${executable}' '/usr/bin/${executable}' || true
else
    rm -f '/usr/bin/${executable}'
fi
if [ -f '/etc/apparmor.d/${executable}' ]; then
    apparmor_parser --remove '/etc/apparmor.d/${executable}' >/dev/null 2>&1 || true
    rm -f '/etc/apparmor.d/${executable}'
fi
