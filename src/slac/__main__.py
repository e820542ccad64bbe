from slac.cli import main

main()
